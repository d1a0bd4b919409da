package fetch

import (
	"fmt"
	"strings"
)

// summary describes how a new text differs from the old one in a line.
func summary(old, new string) string {
	ol, nl := strings.Split(old, "\n"), strings.Split(new, "\n")
	seen := map[string]int{}
	for _, l := range ol {
		seen[l]++
	}
	added, first := 0, ""
	for _, l := range nl {
		if seen[l] > 0 {
			seen[l]--
			continue
		}
		added++
		if first == "" {
			first = l
		}
	}
	removed := 0
	for _, n := range seen {
		removed += n
	}
	if first != "" {
		r := []rune(strings.TrimSpace(first))
		if len(r) > 40 {
			r = append(r[:40], '…')
		}
		first = fmt.Sprintf("; first new line: %q", string(r))
	}
	return fmt.Sprintf("%d lines added, %d removed%s", added, removed, first)
}
