package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// spread is what a figure did over the rounds of one run: the machine is
// shared and noisy, so one round says little and a mean hides outliers.
type spread struct{ min, median, max float64 }

// spreadOf summarises the figures of the rounds; an even count takes the
// mean of the middle two as its median.
func spreadOf(xs []float64) spread {
	if len(xs) == 0 {
		return spread{}
	}
	s := slices.Sorted(slices.Values(xs))
	mid := len(s) / 2
	med := s[mid]
	if len(s)%2 == 0 {
		med = (s[mid-1] + s[mid]) / 2
	}
	return spread{min: s[0], median: med, max: s[len(s)-1]}
}

// ratio formats a spread of per-round ratios with the budget it is held to.
func (s spread) ratio(budget string) string {
	r := fmt.Sprintf("%.2f (min %.2f, max %.2f)", s.median, s.min, s.max)
	if budget != "" {
		r += "; budget " + budget
	}
	return r
}

// ratios divides a by b round by round.
func ratios(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] / b[i]
	}
	return out
}

// procStatusBytes reads a size field ("VmRSS", "VmHWM"…) of a
// /proc/<pid>/status file, which the kernel writes in kB.
func procStatusBytes(status, field string) (int64, error) {
	for line := range strings.Lines(status) {
		rest, ok := strings.CutPrefix(line, field+":")
		if !ok {
			continue
		}
		num, ok := strings.CutSuffix(strings.TrimSpace(rest), " kB")
		if !ok {
			return 0, fmt.Errorf("%s: no kB unit in %q", field, strings.TrimSpace(rest))
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", field, err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("no %s line", field)
}

// percentile is the nearest-rank p-th percentile of xs (p in (0, 100]).
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	return s[min(max(rank, 1), len(s))-1]
}
