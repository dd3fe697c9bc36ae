package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNothingDestroyedOrMisplaced: the demo deletes no file it did not
// create, commands other than collect and demo create no database, and
// stray arguments are errors.
func TestNothingDestroyedOrMisplaced(t *testing.T) {
	dir := t.TempDir()
	precious := filepath.Join(dir, "prod.db")
	os.WriteFile(precious, []byte("not yours"), 0o644)
	if _, err := rw(t, "demo", "--dir", dir, "--db", precious); err == nil {
		t.Error("demo accepted --db")
	}
	if b, _ := os.ReadFile(precious); string(b) != "not yours" {
		t.Error("demo touched a file it did not create")
	}
	squatter := filepath.Join(dir, "rivalwatch-demo.db")
	os.WriteFile(squatter, []byte("a text file"), 0o644)
	if out, err := rw(t, "demo", "--dir", dir); err == nil || !strings.Contains(out+err.Error(), "not touching it") {
		t.Errorf("demo over a foreign file: %v %s", err, out)
	}
	if b, _ := os.ReadFile(squatter); string(b) != "a text file" {
		t.Error("demo deleted a file it did not create")
	}

	nope := filepath.Join(dir, "nope.db")
	if _, err := rw(t, "diff", "--db", nope); err == nil {
		t.Error("diff created a database")
	}
	if _, err := rw(t, "collect", "--db", filepath.Join(dir, "typo", "x.db"), "--exchange", "okx"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("collect into a missing folder: %v", err)
	}
	for _, p := range []string{nope, filepath.Join(dir, "typo")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was created", p)
		}
	}
	if _, err := rw(t, "diff", "--db", nope, "extra"); err == nil || !strings.Contains(err.Error(), `takes no argument "extra"`) {
		t.Errorf("a stray argument: %v", err)
	}
}

// TestOutputIsSafeForTerminalsAndSpreadsheets: exchange text with escape
// sequences or newlines cannot break a table, and CSV cells that would run
// as formulas are neutralized.
func TestOutputIsSafeForTerminalsAndSpreadsheets(t *testing.T) {
	fixClock(t, time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	dir := t.TempDir()
	mustRW(t, "demo", "--dir", dir)
	db := filepath.Join(dir, "rivalwatch-demo.db")
	table := mustRW(t, "sql", "--db", db, `SELECT 'BTC'||char(27)||'[2J'||char(10)||'USDT' AS symbol, 0.1+0.2 AS sum`)
	if strings.ContainsRune(table, 27) || !strings.Contains(table, "BTC[2JUSDT") {
		t.Errorf("control characters reached the terminal:\n%q", table)
	}
	if !strings.Contains(table, "0.3 ") && !strings.Contains(table, "0.3\n") {
		t.Errorf("float with binary noise:\n%s", table)
	}
	csv := mustRW(t, "sql", "--db", db, "--format", "csv", `SELECT '=HYPERLINK("x")' AS a, '-1 bps' AS b, -1.5 AS c`)
	if !strings.Contains(csv, `"'=HYPERLINK(""x"")"`) || !strings.Contains(csv, "'-1 bps") || !strings.Contains(csv, ",-1.5") {
		t.Errorf("CSV formula cells not neutralized (numbers must stay numbers):\n%s", csv)
	}
	if _, err := rw(t, "sql", "--db", db, "VACUUM INTO '"+filepath.Join(dir, "copy.db")+"'"); err == nil {
		t.Error("sql ran VACUUM INTO")
	}
	if _, err := os.Stat(filepath.Join(dir, "copy.db")); err == nil {
		t.Error("sql left a file behind")
	}
	if out := mustRW(t, "sql", "--db", db, "/* a note */ WITH x AS (SELECT 1 AS n) SELECT n FROM x"); !strings.Contains(out, "(1 rows)") {
		t.Errorf("a commented WITH query: %s", out)
	}
	if out := mustRW(t, "changes", "--db", db, "--since", "2d"); !strings.Contains(out, "listing.new") {
		t.Errorf("--since 2d lists nothing:\n%s", out)
	}
	if _, err := rw(t, "changes", "--db", db, "--since", "two days"); err == nil || !strings.Contains(err.Error(), "2d") {
		t.Errorf("a bad --since must say what is accepted: %v", err)
	}
	if out := mustRW(t, "help", "changes"); !strings.Contains(out, "--since") {
		t.Errorf("help changes shows no flags on stdout:\n%s", out)
	}
}
