// Command screenshots makes the README's images from the real kscope binary.
//
// From the repository root:
//
//	go run ./screenshots [name ...]
//
// It builds kscope, runs each shot of the table below (or only the named
// ones) in a detached tmux session on a private server (120×40, or as
// high as the shot's content needs), waits for the
// screen to show the expected text, sends any keys, captures the screen with
// its colours and writes it as screenshots/<name>.svg, drawn as a terminal
// window. When rsvg-convert is on PATH it also writes screenshots/<name>.png.
// tmux must be installed.
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The size of a shot's terminal, unless the shot asks for fewer rows.
const cols, rows = 120, 40

// step sends keys, then waits for text.
type step struct {
	keys []string
	then string
}

// shot is one screenshot: how to start kscope and when its screen is ready.
type shot struct {
	name    string   // file name, without extension
	args    []string // kscope's arguments
	waitFor string   // text that shows the first screen is ready
	keys    []string // tmux send-keys arguments ("j", "Enter", …) to send after waitFor
	then    string   // text that shows the screen reached by keys is ready
	// more are further keys, each batch sent once the screen shows its text
	// before, for screens that open asynchronously (a dialog).
	more []step
	// patience replaces the usual wait, for a shot of something the demo
	// does only now and then.
	patience time.Duration
	// height is the terminal's rows for a screen with little on it, so
	// that the image is not mostly empty; 0 is rows.
	height int
}

// rows is the height of the shot's terminal.
func (s shot) rows() int {
	if s.height > 0 {
		return s.height
	}
	return rows
}

var shots = []shot{
	// The demo has nine topics and three brokers: short screens.
	{name: "topics", args: []string{"--demo", "-c", "topics"}, waitFor: "user-events", height: 16},
	{name: "partitions", args: []string{"--demo", "-c", "topic orders"}, waitFor: "(12 partitions)", height: 20},
	{name: "brokers", args: []string{"--demo", "-c", "brokers"}, waitFor: "brokers (3)", height: 15},
	{name: "tail", args: []string{"--demo", "-c", "tail orders --from -30"}, waitFor: "LIVE"},
	{name: "detail", args: []string{"--demo", "-c", "tail orders --from -30"}, waitFor: "LIVE", keys: []string{"Space", "Enter"}, then: "value  json"},
	// Lag trends need a few refreshes: analytics-etl falls behind steadily.
	{name: "groups", args: []string{"--demo", "-c", "groups", "--groups-refresh", "2s"}, waitFor: "WARN", patience: 90 * time.Second},
	// The demo stops one member of inventory-sync 30 to 60 s in and starts
	// it again 5 to 15 s later: the second rebalance is done by about 80 s.
	{name: "group", args: []string{"--demo", "-c", "group inventory-sync"}, waitFor: "rebalance #2 done", patience: 2 * time.Minute},
	// The demo's shipping members leave and rejoin every 30 to 60 s.
	{name: "consumer-group", args: []string{"--demo", "-c", "group shipping"}, waitFor: "converged in", patience: 150 * time.Second},
	{name: "share-group", args: []string{"--demo", "-c", "group notifications"}, waitFor: "START", patience: 60 * time.Second},
	{name: "create-topic", args: []string{"--demo", "-c", "topics"}, waitFor: "user-events", keys: []string{"n"}, then: "Create a topic"},
	// The preview of a topic of six partitions fits in 24 rows.
	{name: "reset-offsets", args: []string{"--demo", "-c", "group legacy-reporting"}, waitFor: "payments", keys: []string{"R"}, then: "Reset the offsets",
		more: []step{{keys: []string{"Right", "C-s"}, then: "re-consumed"}}, height: 24},
	{name: "filter", args: []string{"--demo", "-c", "tail orders --from -200"}, waitFor: "LIVE", keys: []string{"/", `.customer.tier == "gold"`, "Enter"}, then: "matched"},
	// Records framed for the demo's Schema Registry, decoded once their schema arrived.
	{name: "tail-avro", args: []string{"--demo", "-c", "tail orders-avro --from -30"}, waitFor: `"amount":`},
	{name: "detail-protobuf", args: []string{"--demo", "-c", "tail shipments-protobuf --from -30"}, waitFor: `"carrier":`, keys: []string{"Space", "Enter"},
		then: "message demo.logistics.Shipment"},
	// The demo's stopped and stalled groups are found once watched for
	// the health window, a minute.
	{name: "health", args: []string{"--demo", "-c", "health", "--groups-refresh", "2s"}, waitFor: "group STOP", patience: 150 * time.Second, height: 15},
	// ledger-close holds its transaction open 40 s of every 50.
	{name: "transactions", args: []string{"--demo", "-c", "transactions"}, waitFor: "ledger-close", height: 15},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "screenshots:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, names []string) error {
	selected, err := selectShots(shots, names)
	if err != nil {
		return err
	}
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "kscope-shots-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	bin := filepath.Join(tmp, "kscope")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building kscope: %w", err)
	}

	t, err := newTmux(tmp)
	if err != nil {
		return err
	}
	defer t.killServers()
	rsvg, _ := exec.LookPath("rsvg-convert")

	for _, s := range selected {
		screen, err := t.shoot(ctx, s, bin)
		if err != nil {
			return err
		}
		svg := filepath.Join(root, "screenshots", s.name+".svg")
		if err := os.WriteFile(svg, renderSVG(parseScreen(screen, cols, s.rows()), commandLine(s.args)), 0o644); err != nil {
			return err
		}
		fmt.Println(display(svg))
		if rsvg == "" {
			continue
		}
		png := strings.TrimSuffix(svg, ".svg") + ".png"
		if out, err := exec.CommandContext(ctx, rsvg, "-o", png, svg).CombinedOutput(); err != nil {
			return fmt.Errorf("rsvg-convert %s: %w: %s", display(svg), err, out)
		}
		fmt.Println(display(png))
	}
	return nil
}

// selectShots returns the shots called names, or all of them if none are.
func selectShots(all []shot, names []string) ([]shot, error) {
	if len(names) == 0 {
		return all, nil
	}
	var selected []shot
	for _, name := range names {
		i := slices.IndexFunc(all, func(s shot) bool { return s.name == name })
		if i < 0 {
			known := make([]string, len(all))
			for j, s := range all {
				known[j] = s.name
			}
			return nil, fmt.Errorf("no shot called %q; there are: %s", name, strings.Join(known, ", "))
		}
		selected = append(selected, all[i])
	}
	return selected, nil
}

// moduleRoot finds the kscope repository, so that the command also works
// from one of its subdirectories.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("run this inside the kscope repository")
	}
	return filepath.Dir(gomod), nil
}

// commandLine is how a user would type kscope with args: the window title.
func commandLine(args []string) string {
	words := []string{"kscope"}
	for _, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\"'\\$") {
			a = strconv.Quote(a)
		}
		words = append(words, a)
	}
	return strings.Join(words, " ")
}

// display shortens path relative to the working directory when it can.
func display(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}
