package pki

import (
	"strconv"
	"time"
)

// ValidityType is the acm-pca ValidityPeriodType enum.
type ValidityType string

// ValidityType values.
const (
	ValidityEndDate  ValidityType = "END_DATE"
	ValidityAbsolute ValidityType = "ABSOLUTE"
	ValidityDays     ValidityType = "DAYS"
	ValidityMonths   ValidityType = "MONTHS"
	ValidityYears    ValidityType = "YEARS"
)

// Validity mirrors the acm-pca Validity shape.
type Validity struct {
	Value int64
	Type  ValidityType
}

// NotAfter computes the end of validity relative to now (the issuance time):
//   - END_DATE: Value's decimal digits are a UTCTime YYMMDDHHMMSS (YY ≥ 50 →
//     19YY, else 20YY; numbers shorter than 12 digits had leading zeros) or a
//     GeneralizedTime YYYYMMDDHHMMSS;
//   - ABSOLUTE: Unix seconds;
//   - DAYS: now + Value×24h; MONTHS and YEARS: calendar arithmetic, clamping
//     the day to the end of the target month (Jan 31 + 1 month = Feb 28/29).
//
// Value must be ≥ 1. Malformed values are InvalidArgs.
func (v Validity) NotAfter(now time.Time) (time.Time, error) {
	if v.Value < 1 {
		return time.Time{}, errf(InvalidArgs, "The validity value must be a positive number.")
	}
	now = now.UTC()
	switch v.Type {
	case ValidityEndDate:
		return parseEndDate(v.Value)
	case ValidityAbsolute:
		if v.Value > 253402300799 { // 9999-12-31T23:59:59Z
			return time.Time{}, errf(InvalidArgs, "The ABSOLUTE validity value is beyond 9999-12-31T23:59:59Z.")
		}
		return time.Unix(v.Value, 0).UTC(), nil
	case ValidityDays:
		if v.Value > 3660000 {
			return time.Time{}, errf(InvalidArgs, "The validity period is too long.")
		}
		return now.Add(time.Duration(v.Value) * 24 * time.Hour), nil
	case ValidityMonths:
		if v.Value > 120000 {
			return time.Time{}, errf(InvalidArgs, "The validity period is too long.")
		}
		return addMonths(now, int(v.Value)), nil
	case ValidityYears:
		if v.Value > 10000 {
			return time.Time{}, errf(InvalidArgs, "The validity period is too long.")
		}
		return addMonths(now, int(v.Value)*12), nil
	}
	return time.Time{}, errf(InvalidArgs, "Invalid validity type %q.", string(v.Type))
}

func addMonths(t time.Time, months int) time.Time {
	y, m, d := t.Date()
	total := int(m) - 1 + months
	ty, tm := y+total/12, time.Month(total%12+1)
	if last := time.Date(ty, tm+1, 0, 0, 0, 0, 0, time.UTC).Day(); d > last {
		d = last
	}
	return time.Date(ty, tm, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

func parseEndDate(value int64) (time.Time, error) {
	s := strconv.FormatInt(value, 10)
	var year int
	switch {
	case len(s) <= 12:
		s = "000000000000"[:12-len(s)] + s
		yy, _ := strconv.Atoi(s[:2])
		year = 2000 + yy
		if yy >= 50 {
			year = 1900 + yy
		}
		s = s[2:]
	case len(s) == 14:
		year, _ = strconv.Atoi(s[:4])
		s = s[4:]
	default:
		return time.Time{}, errf(InvalidArgs, "The END_DATE validity value %d is neither YYMMDDHHMMSS nor YYYYMMDDHHMMSS.", value)
	}
	n := func(i int) int { x, _ := strconv.Atoi(s[i : i+2]); return x }
	mo, d, h, mi, se := n(0), n(2), n(4), n(6), n(8)
	t := time.Date(year, time.Month(mo), d, h, mi, se, 0, time.UTC)
	if t.Year() != year || int(t.Month()) != mo || t.Day() != d || t.Hour() != h || t.Minute() != mi || t.Second() != se {
		return time.Time{}, errf(InvalidArgs, "The END_DATE validity value %d is not a valid date.", value)
	}
	return t, nil
}

// NotBefore returns the start of validity: ValidityNotBefore when given
// (it must be ABSOLUTE), else now − 60 minutes as AWS does.
func NotBefore(nb *Validity, now time.Time) (time.Time, error) {
	if nb == nil {
		return now.UTC().Add(-60 * time.Minute).Truncate(time.Second), nil
	}
	if nb.Type != ValidityAbsolute {
		return time.Time{}, errf(InvalidArgs, "ValidityNotBefore must be of type ABSOLUTE.")
	}
	if nb.Value < 1 || nb.Value > 253402300799 {
		return time.Time{}, errf(InvalidArgs, "The ValidityNotBefore value is out of range.")
	}
	return time.Unix(nb.Value, 0).UTC(), nil
}
