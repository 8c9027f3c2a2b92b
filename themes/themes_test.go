package themes

import (
	"strings"
	"testing"
)

func TestEveryBuiltinBuildsDistinctSelection(t *testing.T) {
	for _, name := range Names() {
		p, err := Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		s := New(p)
		plain := s.Text.Render("x")
		if sel := s.Selected.Render("x"); sel == plain {
			t.Errorf("%s: selected row renders like plain text %q", name, sel)
		}
	}
}

func TestUnknownThemeListsKnownOnes(t *testing.T) {
	_, err := Builtin("solarized-purple")
	if err == nil {
		t.Fatal("want error")
	}
	for _, n := range Names() {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("error %q does not list %q", err, n)
		}
	}
}

func TestMonoUsesNoColour(t *testing.T) {
	p, _ := Builtin("mono")
	s := New(p)
	for _, out := range []string{s.Selected.Render("x"), s.Error.Render("x"), s.Header.Render("x"), s.Escape.Render("x")} {
		if strings.Contains(out, "38;") || strings.Contains(out, "48;") {
			t.Errorf("mono style emits a colour: %q", out)
		}
	}
}

func TestForBackground(t *testing.T) {
	if ForBackground(true).Name != "dark" || ForBackground(false).Name != "light" {
		t.Fatal("background choice wrong")
	}
}
