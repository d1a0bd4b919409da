package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/policyledger/policyledger/report"
	"github.com/policyledger/policyledger/stages/release"
)

func newReportCmd() *cobra.Command {
	var dir, out string
	var threshold float64
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Rebuild the report page of an existing release into a separate folder",
		Long: `Render report/index.html from the tables of an existing release folder (default: the
newest in output/releases) into --out (default: output/work/report/<version>/).
A published release is never edited: its own page is written by the release.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				b, err := os.ReadFile(filepath.Join("output", "releases", "latest.json"))
				if err != nil {
					return usageError{fmt.Errorf("report: no --release given and no output/releases/latest.json: %w", err)}
				}
				var l struct{ Version string }
				if err := json.Unmarshal(b, &l); err != nil {
					return fmt.Errorf("report: output/releases/latest.json: %w", err)
				}
				dir = filepath.Join("output", "releases", l.Version)
			}
			var dp struct{ Title, Version string }
			b, err := os.ReadFile(filepath.Join(dir, "datapackage.json"))
			if err == nil {
				err = json.Unmarshal(b, &dp)
			}
			if err != nil {
				return usageError{fmt.Errorf("report: %s is not a release folder (datapackage.json: %v)", dir, err)}
			}
			// A damaged folder is named as such, before its tables are read.
			if err := release.Damaged(dir); err != nil {
				return fmt.Errorf("report: %w", err)
			}
			card, err := os.ReadFile(filepath.Join(dir, "README.md"))
			if err != nil {
				return fmt.Errorf("report: %s: %w", dir, err)
			}
			c, err := report.FromRelease(func(name string) (io.ReadCloser, error) { return os.Open(filepath.Join(dir, filepath.FromSlash(name))) })
			if err != nil {
				return err
			}
			page, err := report.Render(report.Input{Title: dp.Title, Version: dp.Version, ReviewThreshold: threshold, Card: card}, c)
			if err != nil {
				return err
			}
			if out == "" {
				out = filepath.Join("output", "work", "report", dp.Version)
			}
			target := filepath.Join(out, filepath.FromSlash(report.Path))
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			if err := writeFileAtomic(target, page); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "report: %s (%d bytes) from %s\n", target, len(page), dir)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "release", "", "release folder (default: the newest in output/releases)")
	cmd.Flags().StringVar(&out, "out", "", "folder to write report/index.html into (default: output/work/report/<version>)")
	cmd.Flags().Float64Var(&threshold, "review-threshold", defaultOf("review_threshold").(float64), "the alignment review threshold the release was built with")
	return cmd
}

// writeFileAtomic writes a file through a temporary file and a rename.
func writeFileAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		if werr != nil {
			return werr
		}
		return cerr
	}
	os.Chmod(tmp.Name(), 0o644)
	return os.Rename(tmp.Name(), name)
}
