package views

import (
	"strconv"
	"strings"
)

// timestampLayout is how record timestamps are written: RFC 3339 with
// exactly three fractional digits, since Kafka keeps milliseconds, so that
// 09:00:04.710 never reads as 09:00:04.71 and columns of them line up.
const timestampLayout = "2006-01-02T15:04:05.000Z07:00"

// count formats n with thousands separators.
func count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// plural is n, with thousands separators, and the noun that goes with
// it: "1 record", "2,000 records", "0 records".
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return count(n) + " " + many
}

// ids formats broker ids as "1,2,3".
func ids(xs []int32) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(int(x))
	}
	return strings.Join(parts, ",")
}

// byteUnits are the binary units bytesize scales through, each 1024
// times the one before.
var byteUnits = []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}

// bytesize formats a byte count with a binary unit, in at most four
// characters of number: 1023 B, 9.9 KiB, 99.9 KiB, 999 KiB, then 1.0 MiB.
// A size that would round to 1000 of a unit is shown in the next one, so
// a size is never wider than 8 cells and the SIZE column never cuts one.
func bytesize(n int64) string {
	if n < 1<<10 {
		return strconv.FormatInt(n, 10) + " B"
	}
	v, last := float64(n), len(byteUnits)-1
	for _, unit := range byteUnits[:last] {
		v /= 1 << 10
		if s := strconv.FormatFloat(v, 'f', 1, 64); len(s) <= len("99.9") {
			return s + " " + unit
		}
		if s := strconv.FormatFloat(v, 'f', 0, 64); len(s) <= len("999") {
			return s + " " + unit
		}
	}
	// An int64 is under 8 EiB: one decimal always fits.
	return strconv.FormatFloat(v/(1<<10), 'f', 1, 64) + " " + byteUnits[last]
}

// Sentinels Kafka configs use for "no limit".
const (
	longMax   = "9223372036854775807"
	unlimited = "-1"
)

// humanConfig writes a topic config's value for reading: durations of the
// .ms settings as 3d or 1h 30m, sizes of the .bytes settings in binary
// units, and Long.MAX_VALUE or -1 as what they mean. Anything else, and
// any value that does not parse, is returned as it is.
func humanConfig(name, value string) string {
	n, err := strconv.ParseInt(value, 10, 64)
	switch {
	case err != nil:
		return value
	case value == longMax:
		return "∞"
	case strings.HasSuffix(name, ".ms"):
		if value == unlimited {
			return "unlimited"
		}
		if n < 0 {
			return value
		}
		return duration(n)
	case strings.HasSuffix(name, ".bytes"):
		if value == unlimited {
			return "unlimited"
		}
		if n < 0 {
			return value
		}
		return exactBytes(n)
	}
	return value
}

// duration writes ms milliseconds in at most two units: 3d, 1d 12h,
// 1m 30s, 500ms; "~" marks what the two units leave out.
func duration(ms int64) string {
	if ms == 0 {
		return "0"
	}
	units := []struct {
		ms   int64
		name string
	}{{86_400_000, "d"}, {3_600_000, "h"}, {60_000, "m"}, {1000, "s"}, {1, "ms"}}
	var parts []string
	for _, u := range units {
		if ms >= u.ms {
			parts = append(parts, strconv.FormatInt(ms/u.ms, 10)+u.name)
			ms %= u.ms
		}
		if len(parts) == 2 || (len(parts) > 0 && ms == 0) {
			break
		}
	}
	s := strings.Join(parts, " ")
	if ms != 0 {
		s = "~" + s
	}
	return s
}

// exactBytes writes n bytes in the largest binary unit it is a whole
// number of (1 GiB, 512 KiB), else rounded to one decimal and marked so
// (~1.0 MiB).
func exactBytes(n int64) string {
	for _, u := range []struct {
		size int64
		name string
	}{{1 << 40, "TiB"}, {1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if n >= u.size && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + " " + u.name
		}
	}
	if n < 1<<10 {
		return bytesize(n)
	}
	return "~" + bytesize(n)
}
