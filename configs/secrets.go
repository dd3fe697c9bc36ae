package configs

import "fmt"

// Secrets are credential values read from the environment. They print as
// [redacted], so a log line or an error can never show them.
type Secrets struct {
	Key, Secret, Passphrase string
}

// String keeps the values out of %v and %s.
func (Secrets) String() string { return "[redacted]" }

// GoString keeps the values out of %#v.
func (Secrets) GoString() string { return "configs.Secrets{[redacted]}" }

// Configured reports whether the config names credentials at all.
func (c Credentials) Configured() bool { return c.KeyEnv != "" || c.SecretEnv != "" }

// Read returns the key and secret from the environment variables the
// config names; lookupEnv is os.LookupEnv outside tests. No names, no
// secrets and no error: the exchange is pulled without authentication.
func (c Credentials) Read(lookupEnv func(string) (string, bool)) (Secrets, error) {
	if !c.Configured() {
		return Secrets{}, nil
	}
	key, err := readEnv(lookupEnv, c.KeyEnv)
	if err != nil {
		return Secrets{}, err
	}
	secret, err := readEnv(lookupEnv, c.SecretEnv)
	if err != nil {
		return Secrets{}, err
	}
	return Secrets{Key: key, Secret: secret}, nil
}

// Read returns the key, secret and passphrase; see Credentials.Read.
func (c OKXCredentials) Read(lookupEnv func(string) (string, bool)) (Secrets, error) {
	s, err := c.Credentials.Read(lookupEnv)
	if err != nil || !c.Configured() {
		return s, err
	}
	s.Passphrase, err = readEnv(lookupEnv, c.PassphraseEnv)
	if err != nil {
		return Secrets{}, err
	}
	return s, nil
}

// Secret returns the webhook's signing secret, "" when it is sent
// unsigned; lookupEnv is os.LookupEnv outside tests.
func (w Webhook) Secret(lookupEnv func(string) (string, bool)) (string, error) {
	if w.SecretEnv == "" {
		return "", nil
	}
	return readEnv(lookupEnv, w.SecretEnv)
}

// readEnv reads one named variable; unset or empty is an error naming it.
func readEnv(lookupEnv func(string) (string, bool), name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("no environment variable named for a credential that needs one")
	}
	v, ok := lookupEnv(name)
	if !ok || v == "" {
		return "", fmt.Errorf("environment variable %s is not set", name)
	}
	return v, nil
}
