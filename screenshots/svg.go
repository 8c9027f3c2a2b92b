package main

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A cell is as wide as a glyph of DejaVu Sans Mono and Menlo (1233/2048 em),
// the fonts most viewers end up with. Browsers stretch each run over its
// cells with textLength whatever font they pick, but rsvg-convert ignores
// textLength, so this keeps its columns straight too. Rows are slightly
// shorter than those fonts' line height, so that box-drawing glyphs overlap
// a little instead of leaving gaps between rows.
const (
	fontSize  = 14.0
	cellW     = 8.43
	cellH     = 16.0
	baseline  = 13.0 // from the top of a row to its text baseline
	margin    = 16.0
	titleBarH = 36.0
)

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

// renderSVG draws the grid as a terminal window titled title.
func renderSVG(grid [][]cell, title string) []byte {
	cols := 0
	if len(grid) > 0 {
		cols = len(grid[0])
	}
	width := 2*margin + float64(cols)*cellW
	height := titleBarH + float64(len(grid))*cellH + margin

	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%[1]s" height="%[2]s" viewBox="0 0 %[1]s %[2]s" role="img" aria-label="%[3]s">`+"\n",
		num(width), num(height), xmlEscaper.Replace(title))
	fmt.Fprintf(&b, "<title>%s</title>\n", xmlEscaper.Replace(title))
	fmt.Fprintf(&b, "<style>text { font-family: 'JetBrains Mono','DejaVu Sans Mono',Menlo,monospace; font-size: %spx; white-space: pre; }</style>\n", num(fontSize))
	fmt.Fprintf(&b, `<rect width="%s" height="%s" rx="10" fill="%s"/>`+"\n", num(width), num(height), defaultBG)
	for i, c := range []string{"#ff5f56", "#ffbd2e", "#27c93f"} {
		fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="6" fill="%s"/>`+"\n", num(margin+6+float64(i)*20), num(titleBarH/2), c)
	}
	fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" fill="#7f849c" xml:space="preserve">%s</text>`+"\n",
		num(width/2), num(titleBarH/2+5), xmlEscaper.Replace(title))

	for y, row := range grid {
		top := titleBarH + float64(y)*cellH
		writeBackgrounds(&b, row, top)
		writeTexts(&b, row, top)
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// writeBackgrounds paints one rectangle per run of cells sharing a
// background other than the window's own.
func writeBackgrounds(b *bytes.Buffer, row []cell, top float64) {
	for x := 0; x < len(row); {
		_, bg := row[x].style.colors()
		end := x + 1
		for end < len(row) {
			if _, next := row[end].style.colors(); next != bg {
				break
			}
			end++
		}
		if bg != defaultBG {
			fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`+"\n",
				num(margin+float64(x)*cellW), num(top), num(float64(end-x)*cellW), num(cellH), bg)
		}
		x = end
	}
}

// writeTexts writes one <text> per run of same-styled narrow cells. A wide
// grapheme gets a <text> of its own, because fonts rarely draw it exactly two
// cells wide and the text after it must still start at its own column. Block
// elements (sparklines, bars) are painted as rectangles instead: fonts draw
// them taller than a row and often from a fallback font of another width,
// so as text they spill over the rows and columns around them.
func writeTexts(b *bytes.Buffer, row []cell, top float64) {
	for x := 0; x < len(row); {
		c := row[x]
		if c.width == 0 {
			x++
			continue
		}
		if writeBlock(b, c, x, top) {
			x++
			continue
		}
		var text strings.Builder
		text.WriteString(c.text)
		end := x + c.width
		for c.width == 1 && end < len(row) && row[end].width == 1 && row[end].style == c.style && !isBlock(row[end].text) {
			text.WriteString(row[end].text)
			end++
		}
		// Trailing blanks show nothing unless underlined; backgrounds are
		// painted separately.
		s, cells := text.String(), end-x
		if !c.style.underline {
			trimmed := strings.TrimRight(s, " ")
			s, cells = trimmed, cells-(len(s)-len(trimmed))
		}
		if s != "" {
			writeText(b, x, cells, top+baseline, s, c.style)
		}
		x = end
	}
}

// A block is the part of its cell a block element fills, in fractions of
// the cell from its top left corner, and how opaque it is.
type block struct{ x0, y0, x1, y1, opacity float64 }

// blockOf is the block a block element (U+2580–U+2595) fills; ok is false
// for anything else, quadrants included, which are left to the font.
func blockOf(s string) (block, bool) {
	r, n := utf8.DecodeRuneInString(s)
	if n != len(s) {
		return block{}, false
	}
	switch {
	case r == '▀':
		return block{0, 0, 1, 0.5, 1}, true
	case r >= '▁' && r <= '█':
		// Lower eighths: ▁ is one eighth high, █ the whole cell.
		return block{0, 1 - float64(r-'▁'+1)/8, 1, 1, 1}, true
	case r >= '▉' && r <= '▏':
		// Left eighths, from seven eighths (▉) down to one (▏).
		return block{0, 0, float64('▏'-r+1) / 8, 1, 1}, true
	case r == '▐':
		return block{0.5, 0, 1, 1, 1}, true
	case r >= '░' && r <= '▓':
		// Shades, as the share of the cell their dots cover.
		return block{0, 0, 1, 1, float64(r-'░'+1) / 4}, true
	case r == '▔':
		return block{0, 0, 1, 0.125, 1}, true
	case r == '▕':
		return block{0.875, 0, 1, 1, 1}, true
	}
	return block{}, false
}

func isBlock(s string) bool {
	_, ok := blockOf(s)
	return ok
}

// writeBlock paints cell c at column x as a rectangle if it holds a block
// element, and reports whether it did.
func writeBlock(b *bytes.Buffer, c cell, x int, top float64) bool {
	k, ok := blockOf(c.text)
	if !ok {
		return false
	}
	fg, _ := c.style.colors()
	left := margin + float64(x)*cellW
	fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"`,
		num(left+k.x0*cellW), num(top+k.y0*cellH), num((k.x1-k.x0)*cellW), num((k.y1-k.y0)*cellH), fg)
	if op := k.opacity; c.style.faint {
		fmt.Fprintf(b, ` opacity="%s"`, num(op*0.5))
	} else if op < 1 {
		fmt.Fprintf(b, ` opacity="%s"`, num(op))
	}
	b.WriteString("/>\n")
	return true
}

// writeText writes text, which spans cells cells from column x.
func writeText(b *bytes.Buffer, x, cells int, y float64, text string, s style) {
	fg, _ := s.colors()
	fmt.Fprintf(b, `<text x="%s" y="%s" textLength="%s" lengthAdjust="spacing" fill="%s"`,
		num(margin+float64(x)*cellW), num(y), num(float64(cells)*cellW), fg)
	if s.bold {
		b.WriteString(` font-weight="bold"`)
	}
	if s.faint {
		b.WriteString(` opacity="0.5"`)
	}
	if s.italic {
		b.WriteString(` font-style="italic"`)
	}
	if s.underline {
		b.WriteString(` text-decoration="underline"`)
	}
	fmt.Fprintf(b, ` xml:space="preserve">%s</text>`+"\n", xmlEscaper.Replace(text))
}

// num formats a coordinate without the noise of float arithmetic.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}
