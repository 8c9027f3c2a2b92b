package widget

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

func newTestConfirm(t *testing.T, word string) *Confirm {
	t.Helper()
	d := NewConfirm(testStyles(t), "Delete topic "+word, "The topic and its 6 partitions\nwill be deleted.", word)
	d.SetSize(60, 12)
	d.Focus()
	return d
}

func TestConfirmWantsTheExactWord(t *testing.T) {
	d := newTestConfirm(t, "orders")
	update := func(msg tea.Msg) {
		if _, done, _ := d.Update(msg); done {
			t.Fatalf("confirm finished on %v", msg)
		}
	}
	typeText(update, "Orders")
	update(press("enter"))
	view := ansi.Strip(d.View())
	if !strings.Contains(view, "type orders to confirm") {
		t.Errorf("no hint after a wrong word:\n%s", view)
	}
	if !strings.Contains(view, "will be deleted.") || !strings.Contains(view, "Delete topic orders") {
		t.Errorf("target or explanation missing:\n%s", view)
	}
	checkFits(t, d.View(), 60, 12)
	for range len("Orders") {
		update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	typeText(update, "orders")
	if strings.Contains(ansi.Strip(d.View()), "does not match") {
		t.Error("the hint should go once the text changes")
	}
	if _, done, ok := d.Update(press("enter")); !done || !ok {
		t.Errorf("exact word: done %v confirmed %v", done, ok)
	}

	d = newTestConfirm(t, "orders")
	typeText(update, "orders")
	if _, done, ok := d.Update(press("esc")); !done || ok {
		t.Errorf("esc: done %v confirmed %v", done, ok)
	}
}

func TestConfirmShowsAHostileWordEscaped(t *testing.T) {
	word := "evil\x1b]0;x\x07"
	d := newTestConfirm(t, word)
	view := d.View()
	if strings.Contains(view, "\x1b]0;x") || strings.Contains(view, "\x07") {
		t.Errorf("raw escape on screen: %q", view)
	}
	if got := strings.Count(ansi.Strip(view), `evil\x1b]0;x\x07`); got != 2 {
		t.Errorf("escaped word shown %d times, want in the title and the prompt:\n%s", got, ansi.Strip(view))
	}
	checkFits(t, view, 60, 12)
}

func TestRefusalOnlyInformsAndWrapsItsText(t *testing.T) {
	d := NewRefusal(testStyles(t), "Reset", "The preview of what would have happened, long enough to need two lines at this width.", "Not possible now: the group has members.")
	d.SetSize(50, 12)
	if d.Focus() != nil {
		t.Error("a refusal has nothing to type into")
	}
	view := ansi.Strip(d.View())
	joined := strings.Join(strings.Fields(strings.ReplaceAll(view, "│", "")), " ")
	for _, want := range []string{"long enough to need two lines at this width.", "Not possible now: the group has members.", "enter/esc close"} {
		if !strings.Contains(joined, want) {
			t.Errorf("refusal lacks %q:\n%s", want, view)
		}
	}
	if strings.Contains(view, "…") || strings.Contains(view, "confirm") {
		t.Errorf("refusal cut its text or asks to confirm:\n%s", view)
	}
	checkFits(t, d.View(), 50, 12)
	if _, done, ok := d.Update(press("x")); done || ok {
		t.Error("a letter closed the refusal")
	}
	if _, done, ok := d.Update(press("enter")); !done || ok {
		t.Errorf("enter: done %v confirmed %v", done, ok)
	}
}
