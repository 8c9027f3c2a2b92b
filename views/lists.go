package views

import (
	"kscope/views/filter"
	"kscope/views/widget"
)

// listFilter is the filter language of every list, the tail's own for
// text: TEXT (a substring, ignoring the case of ASCII letters),
// re:PATTERN and text:TEXT, each after an optional "!" that inverts it.
func listFilter(expr string) (func(string) bool, error) {
	f, err := filter.ParseText(expr)
	if err != nil {
		return nil, err
	}
	return f.MatchText, nil
}

// newList makes the list of a list screen: moved and sorted by the
// keymap's list keys, filtered in listFilter's language.
func newList[T any](c *Common, title string, cols []widget.Column, sorts ...widget.Sort[T]) *widget.List[T] {
	l := widget.NewList(c.Styles, &c.Keys.ListKeys, title, cols, sorts...)
	l.SetMatcher(listFilter)
	return l
}
