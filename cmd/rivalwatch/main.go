// Command rivalwatch watches rival crypto exchanges' perpetual futures:
// it pulls their public APIs into SQLite, turns changes into events and
// writes a daily digest with suggested countermeasures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

const usage = `rivalwatch — what rival exchanges changed, and what it costs us.

Usage:
  rivalwatch demo                      run the whole pipeline offline on built-in recordings
  rivalwatch collect [--exchange X] [--kind K]
                                       pull the rivals once and store what succeeded
  rivalwatch diff                      turn new snapshots into change events
  rivalwatch changes [--since 24h] [--format table|csv|json]
                                       list change events
  rivalwatch report [--date YYYY-MM-DD] [--format html|md|json] [--out FILE]
                                       write the daily digest
  rivalwatch sql "SELECT ..." [--format table|csv|json]
  rivalwatch sql --schema              query the database read-only; list the views
  rivalwatch record --out DIR          save the live answers of one sweep as a cassette
  rivalwatch replay DIR [--listen 127.0.0.1:8900]
                                       serve a cassette so a config can point at it
  rivalwatch serve [--listen 127.0.0.1:8080]
                                       run continuously: schedules, live streams, retention,
                                       status page, digests, metrics
  rivalwatch alerts send|list|retry|test
                                       deliver, list, requeue or try webhook alerts
  rivalwatch backfill funding [--days 90] [--exchange X]
                                       pull funding history into the database (resumable)
  rivalwatch stream [--exchange X]     store live funding from the websockets until Ctrl-C
  rivalwatch compact                   reduce observations older than retention.raw to hourly rows
  rivalwatch classify [--exchange X] [--rules FILE] < announcements.jsonl
  rivalwatch classify --reclassify     classify announcements as the collector does;
                                       re-classify the stored ones with the current rules

Every command takes --config FILE (default: the built-in configs/rivalwatch.yaml,
which points at the real exchanges) and --db FILE (overrides the config's database).
Run "rivalwatch COMMAND --help" for a command's flags.
`

// errUsage marks a mistake in the command line; main prints the usage.
var errUsage = errors.New("usage")

// errFlags marks a flag error the flag package has already printed.
var errFlags = errors.New("bad flags")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, newEnv(os.Stdin, os.Stdout, os.Stderr, time.Now), os.Args[1:])
	stop()
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errFlags):
		os.Exit(2)
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, "rivalwatch:", strings.TrimPrefix(err.Error(), "usage: "))
		fmt.Fprint(os.Stderr, "\n"+usage)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "rivalwatch:", err)
		os.Exit(1)
	}
}

// env is what a command takes from its process: the standard streams, the
// clock and the logger. Tests build their own, so they can run in parallel
// with clocks of their own.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	now            func() time.Time
	log            *slog.Logger
}

func newEnv(stdin io.Reader, stdout, stderr io.Writer, now func() time.Time) env {
	return env{stdin: stdin, stdout: stdout, stderr: stderr, now: now,
		log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
}

// run executes one command; tests call it directly.
func run(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stdout, usage)
		return nil
	}
	cmds := map[string]func(context.Context, env, []string) error{
		"demo":     runDemo,
		"collect":  runCollect,
		"diff":     runDiff,
		"changes":  runChanges,
		"report":   runReport,
		"sql":      runSQL,
		"record":   runRecord,
		"replay":   runReplay,
		"backfill": runBackfill,
		"compact":  runCompact,
		"stream":   runStream,
		"alerts":   runAlerts,
		"serve":    runServe,
		"classify": runClassify,
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && cmds[args[1]] != nil {
			// A command's help goes to stdout when asked for by name.
			e.stderr = e.stdout
			if err := cmds[args[1]](ctx, e, []string{"--help"}); !errors.Is(err, flag.ErrHelp) {
				return err
			}
			return nil
		}
		fmt.Fprint(e.stdout, usage)
		return nil
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
	}
	return cmd(ctx, e, args[1:])
}

// commonFlags are the flags every command takes.
type commonFlags struct {
	config string
	db     string
}

func newFlagSet(name, synopsis string, stderr io.Writer, c *commonFlags) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: rivalwatch %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	fs.StringVar(&c.config, "config", "", "config file (default: built-in configs/rivalwatch.yaml)")
	fs.StringVar(&c.db, "db", "", "SQLite database (default: the config's database)")
	return fs
}

// parseNoArgs parses the flags of a command that takes no positional
// argument: a stray word is a mistake, not something to ignore.
func parseNoArgs(fs *flag.FlagSet, args []string) error {
	pos, err := parseArgs(fs, args)
	if err == nil && len(pos) > 0 {
		return fmt.Errorf("%w: %s takes no argument %q", errUsage, fs.Name(), pos[0])
	}
	return err
}

// parseArgs parses flags that may come before or after positional
// arguments, so `sql "SELECT 1" --format csv` works.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errFlags
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
