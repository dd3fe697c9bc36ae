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
