package configs

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// cronParser reads the specs the daemon will run: five fields or a
// descriptor such as @every 5m or @daily.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

func validateSchedule(s Schedule, d *document) error {
	var errs []error
	if s.Timezone == "" {
		errs = append(errs, d.at("schedule.timezone", "must name a timezone such as UTC or Europe/London"))
	} else if _, err := time.LoadLocation(s.Timezone); err != nil {
		errs = append(errs, d.at("schedule.timezone", "%q is not a known timezone (such as UTC or Europe/London)", s.Timezone))
	}
	errs = append(errs, validateJobs("schedule", s.Jobs, false, d),
		checkSpec(d, "schedule.digest", s.Digest, false),
		checkSpec(d, "schedule.retention", s.Retention, false))
	for _, ex := range slices.Sorted(maps.Keys(s.Exchanges)) {
		at := "schedule.exchanges." + ex
		if !slices.Contains(exchangeNames, ex) {
			errs = append(errs, d.at(at, "unknown exchange (want %s)", orList(exchangeNames)))
			continue
		}
		errs = append(errs, validateJobs(at, s.Exchanges[ex], true, d))
	}
	return errors.Join(errs...)
}

// validateJobs checks one spec per kind; an override may leave one empty.
func validateJobs(at string, j Jobs, override bool, d *document) error {
	var errs []error
	for _, kind := range kindNames {
		errs = append(errs, checkSpec(d, at+"."+kind, j.spec(kind), override))
	}
	return errors.Join(errs...)
}

func checkSpec(d *document, key, spec string, mayBeEmpty bool) error {
	if spec == Off || (spec == "" && mayBeEmpty) {
		return nil
	}
	// cron's own messages name Go functions; say what is accepted instead.
	bad := d.at(key, "%q is not a schedule: use a cron line such as \"0 8 * * *\", @every 5m, @daily or off", spec)
	if _, err := cronParser.Parse(spec); err != nil {
		return bad
	}
	if every, ok := strings.CutPrefix(spec, "@every "); ok {
		// cron runs anything under a second every second.
		if dur, err := time.ParseDuration(every); err != nil || dur < time.Second {
			return d.at(key, "%q: @every needs at least 1s", spec)
		}
	}
	return nil
}
