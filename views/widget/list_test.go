package widget

import (
	"cmp"
	"fmt"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"
)

type fruit struct {
	name  string
	count int
}

func testKeys() *ListKeys {
	return &ListKeys{
		Up:       key.NewBinding(key.WithKeys("up")),
		Down:     key.NewBinding(key.WithKeys("down")),
		Sort:     key.NewBinding(key.WithKeys("s")),
		Reverse:  key.NewBinding(key.WithKeys("S")),
		SortPrev: key.NewBinding(key.WithKeys("<")),
		SortNext: key.NewBinding(key.WithKeys(">")),
	}
}

func fruitList(t *testing.T) *List[fruit] {
	t.Helper()
	l := NewList(testStyles(t), testKeys(), "fruit", []Column{{Title: "NAME"}, {Title: "COUNT", Width: 6, Right: true}},
		Sort[fruit]{Column: 0, Compare: func(a, b fruit) int { return strings.Compare(a.name, b.name) }},
		Sort[fruit]{Column: 1, Desc: true, Compare: func(a, b fruit) int { return cmp.Compare(a.count, b.count) }},
	)
	l.SetSize(30, 10)
	l.SetItems([]fruit{{"pear", 2}, {"apple", 5}, {"fig", 2}, {"date", 9}}, func(f fruit) Row {
		return Row{Key: f.name, Search: f.name, Cells: FixedCells(f.name, fmt.Sprint(f.count))}
	})
	return l
}

// order is the names as the list shows them, and the header.
func order(l *List[fruit]) (header string, names []string) {
	lines := strings.Split(ansi.Strip(l.View()), "\n")
	for _, line := range lines[1:] {
		names = append(names, strings.Fields(line)[0])
	}
	return strings.Join(strings.Fields(lines[0]), " "), names
}

func TestListSortsByTheSortKeys(t *testing.T) {
	l := fruitList(t)
	steps := []struct {
		key, header, names string
	}{
		{"", "NAME▲ COUNT", "apple date fig pear"},
		{"s", "NAME COUNT▼", "date apple fig pear"}, // ties keep the first order
		{"S", "NAME COUNT▲", "fig pear apple date"},
		{"s", "NAME▲ COUNT", "apple date fig pear"},
		{"S", "NAME▼ COUNT", "pear fig date apple"},
	}
	for _, s := range steps {
		if s.key != "" && !l.Update(press(s.key)) {
			t.Errorf("%s was not for the list", s.key)
		}
		header, names := order(l)
		if header != s.header || strings.Join(names, " ") != s.names {
			t.Errorf("after %q: %q %v, want %q %s", s.key, header, names, s.header, s.names)
		}
	}
}

func TestListKeepsTheCursorAcrossASort(t *testing.T) {
	l := fruitList(t)
	l.Update(keyDown) // date
	l.Update(press("s"))
	if r, ok := l.Selected(); !ok || r.Key != "date" {
		t.Errorf("selected %q after sorting, want date", r.Key)
	}
}

func TestListTitleCountsWhatTheFilterShows(t *testing.T) {
	l := fruitList(t)
	if got := l.Title(); got != "fruit (4)" {
		t.Errorf("title %q", got)
	}
	if err := l.SetFilter("P"); err != nil {
		t.Fatal(err)
	}
	if got := l.Title(); got != "fruit (2 of 4)" || l.Filter() != "P" {
		t.Errorf("filtered: title %q, filter %q", got, l.Filter())
	}
}

func TestListWithoutOrdersSortsByColumnsOnlyWhenAsked(t *testing.T) {
	l := NewList[fruit](testStyles(t), testKeys(), "fruit", []Column{{Title: "NAME"}, {Title: "COUNT", Right: true}})
	l.SetSize(30, 10)
	l.SetItems([]fruit{{"b", 10}, {"a", 9}, {"c", 1000}}, func(f fruit) Row {
		return Row{Key: f.name, Cells: FixedCells(f.name, fmt.Sprintf("%d,000", f.count))}
	})
	if _, names := order(l); strings.Join(names, " ") != "b a c" {
		t.Errorf("unsorted list reordered its items: %v", names)
	}
	steps := []struct{ key, header, names string }{
		{"s", "NAME▲ COUNT", "a b c"},
		{"s", "NAME COUNT▲", "a b c"}, // 9,000 10,000 1,000,000: by value, not by text
		{"S", "NAME COUNT▼", "c b a"},
	}
	for _, s := range steps {
		if !l.Update(press(s.key)) {
			t.Fatalf("%s was not for the list", s.key)
		}
		if header, names := order(l); header != s.header || strings.Join(names, " ") != s.names {
			t.Errorf("after %q: %q %v, want %q %s", s.key, header, names, s.header, s.names)
		}
	}
}

func TestListSortsByAnyColumnWithTheColumnKeys(t *testing.T) {
	// Orders are declared for two columns; the third has none.
	l := NewList(testStyles(t), testKeys(), "fruit", []Column{{Title: "NAME"}, {Title: "COUNT", Right: true}, {Title: "COLOUR"}},
		Sort[fruit]{Column: 0, Compare: func(a, b fruit) int { return strings.Compare(a.name, b.name) }},
		Sort[fruit]{Column: 1, Desc: true, Compare: func(a, b fruit) int { return cmp.Compare(a.count, b.count) }},
	)
	l.SetSize(40, 10)
	colour := map[string]string{"apple": "red", "date": "brown", "fig": "purple", "pear": "green"}
	l.SetItems([]fruit{{"pear", 2}, {"apple", 5}, {"fig", 2}, {"date", 9}}, func(f fruit) Row {
		return Row{Key: f.name, Cells: FixedCells(f.name, fmt.Sprint(f.count), colour[f.name])}
	})
	steps := []struct{ key, header, names string }{
		{"<", "NAME COUNT COLOUR▲", "date pear fig apple"}, // from the first column round to the last
		{">", "NAME▲ COUNT COLOUR", "apple date fig pear"},
		{">", "NAME COUNT▼ COLOUR", "date apple fig pear"}, // a declared order starts its own way
		{">", "NAME COUNT COLOUR▲", "date pear fig apple"},
		{"S", "NAME COUNT COLOUR▼", "apple fig pear date"},
	}
	for _, s := range steps {
		if !l.Update(press(s.key)) {
			t.Fatalf("%s was not for the list", s.key)
		}
		if header, names := order(l); header != s.header || strings.Join(names, " ") != s.names {
			t.Errorf("after %q: %q %v, want %q %s", s.key, header, names, s.header, s.names)
		}
	}
}

func TestTableFiltersInItsMatchersLanguage(t *testing.T) {
	l := fruitList(t)
	l.SetMatcher(func(expr string) (func(string) bool, error) {
		if expr == "bad" {
			return nil, fmt.Errorf("bad filter")
		}
		return func(s string) bool { return !strings.Contains(s, expr) }, nil
	})
	if err := l.SetFilter("a"); err != nil {
		t.Fatal(err)
	}
	if _, names := order(l); strings.Join(names, " ") != "fig" {
		t.Errorf("inverse filter shows %v", names)
	}
	if err := l.SetFilter("bad"); err == nil || l.Filter() != "a" {
		t.Errorf("a refused filter replaced the one in force: %v, %q", err, l.Filter())
	}
}
