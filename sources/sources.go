// Package sources embeds the project's source manifest (sources.yaml), the
// dataset changelog (CHANGELOG.md) and the raw snapshots the manifest pins,
// so that a built binary can produce a release with no network and no
// checkout. The fetch stage reads them through FS.
package sources

import "embed"

//go:embed sources.yaml snapshots CHANGELOG.md glossary.yaml mechanisms.yaml overrides.yaml
var files embed.FS

// FS returns the embedded manifest and snapshots.
func FS() embed.FS { return files }

// Manifest is the manifest's path inside FS.
const Manifest = "sources.yaml"
