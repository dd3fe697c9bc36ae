// Package configs loads rivalwatch's YAML configuration: defaults first,
// then a strict decode in which unknown keys and bad values are errors that
// name the key and its line, all reported at once. It also embeds the
// documented example files, so the binary runs without them on disk.
package configs

import (
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

//go:embed rivalwatch.yaml demo.yaml playbook.yaml classify.yaml
var files embed.FS

// Load reads a config file. An empty path loads the built-in example
// (configs/rivalwatch.yaml, pointed at the real exchanges).
func Load(path string) (Config, error) {
	if path == "" {
		return LoadEmbedded("rivalwatch.yaml")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	return parse(path, data, func(name string) (string, []byte, error) {
		if !filepath.IsAbs(name) {
			name = filepath.Join(filepath.Dir(path), name)
		}
		b, err := os.ReadFile(name)
		return name, b, err
	})
}

// LoadEmbedded loads one of the built-in files: rivalwatch.yaml or demo.yaml.
func LoadEmbedded(name string) (Config, error) {
	data, err := files.ReadFile(name)
	if err != nil {
		return Config{}, fmt.Errorf("no built-in config %q", name)
	}
	return parse("built-in "+name, data, func(name string) (string, []byte, error) {
		b, err := files.ReadFile(name)
		return "built-in " + name, b, err
	})
}

// Parse reads a config from memory; the playbook is the built-in one unless
// the config names a file, which is read relative to the working directory.
func Parse(name string, data []byte) (Config, error) {
	return parse(name, data, func(name string) (string, []byte, error) {
		b, err := os.ReadFile(name)
		return name, b, err
	})
}

// openFunc reads a file the config names, returning the name to show in
// errors: where the file was really looked for.
type openFunc func(name string) (shown string, data []byte, err error)

func parse(name string, data []byte, open openFunc) (Config, error) {
	cfg := Default()
	doc := newDocument(name)
	if !doc.decode(data, &cfg) {
		return Config{}, doc.err()
	}
	cfg.fillListDefaults()
	playbookErr := loadPlaybook(&cfg, doc, open)
	rulesErr := loadClassifyRules(&cfg, doc, open)
	if err := doc.err(cfg.validate(doc)); err != nil || playbookErr != nil || rulesErr != nil {
		return Config{}, errors.Join(err, playbookErr, rulesErr)
	}
	return cfg, nil
}

// loadPlaybook reads and checks the playbook the config names, or the
// built-in one. A file that cannot be read is a problem of the config's
// playbook key; problems inside it are the playbook file's own.
func loadPlaybook(cfg *Config, doc *document, open openFunc) error {
	name, data := "built-in playbook.yaml", []byte(nil)
	if cfg.PlaybookFile != "" {
		shown, b, err := open(cfg.PlaybookFile)
		if err != nil {
			doc.problems = append(doc.problems, doc.at("playbook", "cannot be read: %v", err))
			return nil
		}
		name, data = shown, b
	} else {
		data, _ = files.ReadFile("playbook.yaml")
	}
	pb := newDocument(name)
	if !pb.decode(data, &cfg.Playbook) {
		return pb.err()
	}
	return pb.err(pb.adopt("", cfg.Playbook.Validate()))
}
