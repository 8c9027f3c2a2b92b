// Package themes turns a semantic palette into the styles every view draws with.
package themes

import (
	"fmt"
	"image/color"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"
)

// Palette names colours by what they mean, not what they look like. A nil
// colour means the terminal's own.
type Palette struct {
	Name          string
	Text          color.Color
	Muted         color.Color
	Accent        color.Color
	OK            color.Color
	Warn          color.Color
	Error         color.Color
	Border        color.Color
	Selection     color.Color
	SelectionText color.Color
	HeaderBg      color.Color
	HeaderText    color.Color
	// Mono draws emphasis with attributes (reverse, bold, underline) for
	// terminals without colour.
	Mono bool
}

// Styles is what views draw with; New builds it from a Palette.
type Styles struct {
	Palette Palette

	Text   lipgloss.Style
	Muted  lipgloss.Style
	Accent lipgloss.Style
	OK     lipgloss.Style
	Warn   lipgloss.Style
	Error  lipgloss.Style

	// Header is the top bar; Title the name of the current view.
	Header lipgloss.Style
	Title  lipgloss.Style
	Border lipgloss.Style

	TableHeader lipgloss.Style
	Selected    lipgloss.Style

	HelpKey  lipgloss.Style
	HelpDesc lipgloss.Style
	HelpSep  lipgloss.Style

	// Escape marks the visible escapes the sanitizer puts where unsafe bytes were.
	Escape lipgloss.Style
	Prompt lipgloss.Style
	Badge  lipgloss.Style
}

// New is the one constructor from palette to styles.
func New(p Palette) *Styles {
	fg := func(c color.Color) lipgloss.Style { return lipgloss.NewStyle().Foreground(c) }
	s := &Styles{
		Palette:     p,
		Text:        fg(p.Text),
		Muted:       fg(p.Muted),
		Accent:      fg(p.Accent),
		OK:          fg(p.OK),
		Warn:        fg(p.Warn),
		Error:       fg(p.Error).Bold(true),
		Header:      lipgloss.NewStyle().Foreground(p.HeaderText).Background(p.HeaderBg),
		Title:       fg(p.Accent).Bold(true),
		Border:      fg(p.Border),
		TableHeader: fg(p.Muted).Bold(true),
		Selected:    lipgloss.NewStyle().Foreground(p.SelectionText).Background(p.Selection),
		HelpKey:     fg(p.Accent),
		HelpDesc:    fg(p.Muted),
		HelpSep:     fg(p.Border),
		Escape:      fg(p.Warn).Faint(true),
		Prompt:      fg(p.Accent).Bold(true),
		Badge:       lipgloss.NewStyle().Foreground(p.HeaderBg).Background(p.Warn).Bold(true),
	}
	if p.Mono {
		s.Selected = lipgloss.NewStyle().Reverse(true)
		s.Warn = s.Warn.Underline(true)
		s.Error = s.Error.Underline(true)
		s.Escape = lipgloss.NewStyle().Underline(true)
		s.Header = lipgloss.NewStyle().Reverse(true)
		s.Badge = lipgloss.NewStyle().Bold(true)
		s.Muted = lipgloss.NewStyle().Faint(true)
	}
	return s
}

var builtins = []Palette{
	{
		Name: "dark", Text: lipgloss.Color("#d8dee9"), Muted: lipgloss.Color("#7b8496"), Accent: lipgloss.Color("#88c0d0"),
		OK: lipgloss.Color("#a3be8c"), Warn: lipgloss.Color("#ebcb8b"), Error: lipgloss.Color("#ff6c6b"),
		Border: lipgloss.Color("#4c566a"), Selection: lipgloss.Color("#3b4a63"), SelectionText: lipgloss.Color("#eceff4"),
		HeaderBg: lipgloss.Color("#2e3440"), HeaderText: lipgloss.Color("#d8dee9"),
	},
	{
		Name: "light", Text: lipgloss.Color("#2e3440"), Muted: lipgloss.Color("#6b7280"), Accent: lipgloss.Color("#1d6fa5"),
		OK: lipgloss.Color("#2e7d32"), Warn: lipgloss.Color("#a15c00"), Error: lipgloss.Color("#c62828"),
		Border: lipgloss.Color("#b0b7c3"), Selection: lipgloss.Color("#cfe3f5"), SelectionText: lipgloss.Color("#111827"),
		HeaderBg: lipgloss.Color("#e5e9f0"), HeaderText: lipgloss.Color("#2e3440"),
	},
	{
		Name: "high-contrast", Text: lipgloss.Color("#ffffff"), Muted: lipgloss.Color("#c0c0c0"), Accent: lipgloss.Color("#00ffff"),
		OK: lipgloss.Color("#00ff00"), Warn: lipgloss.Color("#ffff00"), Error: lipgloss.Color("#ff5555"),
		Border: lipgloss.Color("#ffffff"), Selection: lipgloss.Color("#ffff00"), SelectionText: lipgloss.Color("#000000"),
		HeaderBg: lipgloss.Color("#000000"), HeaderText: lipgloss.Color("#ffffff"),
	},
	{Name: "mono", Mono: true},
}

// Default is the theme used on a dark background or when none is chosen.
const Default = "dark"

// Names lists the built-in themes.
func Names() []string {
	out := make([]string, len(builtins))
	for i, p := range builtins {
		out[i] = p.Name
	}
	return out
}

// Builtin returns the named built-in palette, or an error listing the names.
func Builtin(name string) (Palette, error) {
	i := slices.IndexFunc(builtins, func(p Palette) bool { return p.Name == name })
	if i < 0 {
		return Palette{}, fmt.Errorf("unknown theme %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return builtins[i], nil
}

// ForBackground picks the built-in that suits the terminal when the user
// named none: light on a light background, dark otherwise.
func ForBackground(dark bool) Palette {
	if dark {
		p, _ := Builtin("dark")
		return p
	}
	p, _ := Builtin("light")
	return p
}
