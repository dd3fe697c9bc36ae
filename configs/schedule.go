package configs

import "time"

// Off is the spec of a job that does not run.
const Off = "off"

// Spec returns the effective spec of a job for one exchange: the
// exchange's override when it has one, else the global spec. job is a kind
// (instruments, funding, market, announcements, fees, yield) or one of the
// global jobs digest and retention, for which exchange is ignored. An
// unknown job has no spec ("").
func (s Schedule) Spec(exchange, job string) string {
	switch job {
	case "digest":
		return s.Digest
	case "retention":
		return s.Retention
	}
	if spec := s.Exchanges[exchange].spec(job); spec != "" {
		return spec
	}
	return s.Jobs.spec(job)
}

// Location is the timezone the specs are read in.
func (s Schedule) Location() (*time.Location, error) {
	return time.LoadLocation(s.Timezone)
}

func (j Jobs) spec(job string) string {
	switch job {
	case "instruments":
		return j.Instruments
	case "funding":
		return j.Funding
	case "market":
		return j.Market
	case "announcements":
		return j.Announcements
	case "fees":
		return j.Fees
	case "yield":
		return j.Yield
	}
	return ""
}

// StaleAfter is how old a feed's last complete snapshot may be before the
// digest flags it: two runs of the slowest of the given jobs on any
// exchange, so one missed run is tolerated and two are not; at least
// floor. A job that is off, or a spec that does not parse, adds nothing.
func (s Schedule) StaleAfter(exchanges, jobs []string, floor time.Duration) time.Duration {
	longest := time.Duration(0)
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, ex := range exchanges {
		for _, job := range jobs {
			spec := s.Spec(ex, job)
			if spec == "" || spec == Off {
				continue
			}
			sched, err := cronParser.Parse(spec)
			if err != nil {
				continue
			}
			first := sched.Next(from)
			longest = max(longest, sched.Next(first).Sub(first))
		}
	}
	return max(2*longest, floor)
}
