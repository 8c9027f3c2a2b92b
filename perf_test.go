package main

import (
	"fmt"
	"testing"
)

// perfRow prints one row of the performance table: `.ci/perf` collects
// the rows every benchmark prints into one table. kscope and competitor
// are the figures with their units; ratio says which way is better.
func perfRow(tb testing.TB, metric, kscope, competitor, ratio string) {
	tb.Helper()
	fmt.Printf("PERF\t%s\t%s\t%s\t%s\n", metric, kscope, competitor, ratio)
}
