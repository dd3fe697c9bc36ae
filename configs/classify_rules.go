package configs

import "github.com/rivalwatch/rivalwatch/collectors/classify"

// BuiltinClassifyRules is configs/classify.yaml as the binary embeds it.
func BuiltinClassifyRules() []byte {
	data, _ := files.ReadFile("classify.yaml")
	return data
}

// loadClassifyRules reads and compiles the announcement rules the config
// names, or the built-in ones. A file that cannot be read is a problem of
// the config's classify_rules key; problems inside it are the rules
// file's own, each with its line.
func loadClassifyRules(cfg *Config, doc *document, open openFunc) error {
	name, data := "built-in classify.yaml", BuiltinClassifyRules()
	if cfg.ClassifyRulesFile != "" {
		shown, b, err := open(cfg.ClassifyRulesFile)
		if err != nil {
			doc.problems = append(doc.problems, doc.at("classify_rules", "cannot be read: %v", err))
			return nil
		}
		name, data = shown, b
	}
	rules, err := classify.ParseRules(name, data)
	if err != nil {
		return err
	}
	cfg.ClassifyRules = rules
	return nil
}

// checkOptionalURL checks an http(s) URL that may be left empty.
func (d *document) checkOptionalURL(key, raw string) error {
	if raw == "" {
		return nil
	}
	return d.checkURL(key, raw, "http", "https")
}
