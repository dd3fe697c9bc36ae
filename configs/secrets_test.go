package configs

import (
	"fmt"
	"strings"
	"testing"
)

// fakeEnv is an environment for tests, so they never read or set the real one.
type fakeEnv map[string]string

func (e fakeEnv) lookup(name string) (string, bool) {
	v, ok := e[name]
	return v, ok
}

func TestCredentialsRead(t *testing.T) {
	env := fakeEnv{"KEY": "k-123", "SECRET": "s-456", "PASS": "p-789", "EMPTY": ""}
	tests := []struct {
		name    string
		creds   OKXCredentials
		want    Secrets
		wantErr string
	}{
		{"none configured", OKXCredentials{}, Secrets{}, ""},
		{"all set", OKXCredentials{Credentials{"KEY", "SECRET"}, "PASS"}, Secrets{"k-123", "s-456", "p-789"}, ""},
		{"unset variable is named", OKXCredentials{Credentials{"KEY", "NOPE"}, "PASS"}, Secrets{}, "environment variable NOPE is not set"},
		{"empty variable counts as unset", OKXCredentials{Credentials{"KEY", "SECRET"}, "EMPTY"}, Secrets{}, "environment variable EMPTY is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.creds.Read(env.lookup)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("read the wrong values (error %v)", err)
			}
		})
	}
	// Binance and Bybit have no passphrase.
	got, err := (Credentials{"KEY", "SECRET"}).Read(env.lookup)
	if err != nil || got.Key != "k-123" || got.Secret != "s-456" || got.Passphrase != "" {
		t.Errorf("credentials: %v", err)
	}
}

func TestWebhookSecret(t *testing.T) {
	env := fakeEnv{"HOOK": "h-1"}
	if s, err := (Webhook{SecretEnv: "HOOK"}).Secret(env.lookup); err != nil || s != "h-1" {
		t.Errorf("secret %q, %v", s, err)
	}
	if s, err := (Webhook{}).Secret(env.lookup); err != nil || s != "" {
		t.Errorf("unsigned webhook: %q, %v", s, err)
	}
	if _, err := (Webhook{SecretEnv: "GONE"}).Secret(env.lookup); err == nil || !strings.Contains(err.Error(), "GONE") {
		t.Errorf("want the variable named, got %v", err)
	}
}

// A value printed by mistake, in a log line or an error, stays hidden.
func TestSecretsNeverPrint(t *testing.T) {
	s := Secrets{Key: "k-123", Secret: "s-456", Passphrase: "p-789"}
	for _, format := range []string{"%v", "%+v", "%s", "%#v"} {
		if out := fmt.Sprintf(format, s); strings.Contains(out, "k-123") || strings.Contains(out, "s-456") || strings.Contains(out, "p-789") {
			t.Errorf("%s shows a secret: %s", format, out)
		}
	}
}
