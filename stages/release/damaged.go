package release

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Damaged reports a published release folder whose files are not all
// there at the sizes recorded when it was published: every file its
// SHA256SUMS lists must exist, at the size latest.json records (when it
// describes this version) or datapackage.json does (for the tables). It
// reads no file's contents: a file damaged in place at the same size is
// found only by `sha256sum -c SHA256SUMS`. The error names the file and
// the remedy.
func Damaged(dir string) error {
	version := filepath.Base(dir)
	remedy := "restore that folder from a copy"
	if semver.MatchString(version) {
		remedy += ", or move it aside and rebuild it with --version " + version + " from the sources it was built from (releases are reproducible)"
	}
	damaged := func(format string, a ...any) error {
		return fmt.Errorf("release: the published %s is damaged: %s: %s; nothing was written", dir, fmt.Sprintf(format, a...), remedy)
	}
	sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		return damaged("SHA256SUMS cannot be read (%v)", err)
	}
	sizes := map[string]int64{}
	var l Latest
	if b, err := os.ReadFile(filepath.Join(filepath.Dir(dir), "latest.json")); err == nil && json.Unmarshal(b, &l) == nil && l.Version == version {
		for name, f := range l.Files {
			sizes[name] = f.Bytes
		}
	} else if _, res, err := releasedSchema(dir); err == nil {
		sizes = res
	} else {
		return damaged("datapackage.json cannot be read (%v)", err)
	}
	if want, ok := sizes["SHA256SUMS"]; ok && int64(len(sums)) != want {
		return damaged("SHA256SUMS is %d bytes, %d when published", len(sums), want)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		_, name, ok := strings.Cut(line, "  ")
		if !ok {
			return damaged("SHA256SUMS has a line that is not a hash and a name: %q", line)
		}
		st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			return damaged("%s is missing", name)
		}
		if want, ok := sizes[name]; ok && st.Size() != want {
			return damaged("%s is %d bytes, %d when published", name, st.Size(), want)
		}
	}
	return nil
}
