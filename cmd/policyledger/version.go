package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/policyledger/policyledger/corpus"
	"github.com/policyledger/policyledger/sources"
)

// version and commit are set at build time by the Makefile
// (-ldflags "-X main.version=… -X main.commit=…"); a go install of a tagged
// module version fills version from the build information instead.
var (
	version = ""
	commit  = ""
)

// versionString is what --version and the version command print: the
// program's version, its commit and the Go version it was built with.
func versionString() string {
	v, c := version, commit
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && c == "" && len(s.Value) >= 12 {
				c = s.Value[:12]
			}
		}
	}
	if v == "" {
		v = "devel"
	}
	if c == "" {
		c = "unknown"
	}
	return fmt.Sprintf("policyledger %s (commit %s, %s %s/%s)", v, c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the program's version, commit and Go version",
		Args:  noArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), versionString())
		},
	}
}

// noArgs and rangeArgs are cobra's argument checks, their errors marked as
// usage errors (exit code 2).
func noArgs(cmd *cobra.Command, args []string) error {
	if err := cobra.NoArgs(cmd, args); err != nil {
		return usageError{fmt.Errorf("%w: see policyledger %s --help", err, cmd.Name())}
	}
	return nil
}

func rangeArgs(lo, hi int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.RangeArgs(lo, hi)(cmd, args); err != nil {
			return usageError{fmt.Errorf("%w: see policyledger %s --help", err, cmd.Name())}
		}
		return nil
	}
}

func newGenCorpusCmd() *cobra.Command {
	var docs int
	var seed uint64
	var out string
	cmd := &cobra.Command{
		Use:    "gen-corpus --docs N --seed S --out DIR",
		Short:  "Write a generated sources folder of N documents, for measuring the pipeline",
		Hidden: true,
		Args:   noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if docs < 1 || out == "" {
				return usageError{fmt.Errorf("gen-corpus needs --docs ≥ 1 and --out")}
			}
			files, err := corpus.Generate(sources.FS(), docs, seed)
			if err != nil {
				return err
			}
			for _, name := range sortedKeys(files) {
				path := filepath.Join(out, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					return err
				}
				if err := os.WriteFile(path, files[name], 0o644); err != nil {
					return err
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d documents to %s\n", docs, filepath.Join(out, "sources.yaml"))
			return nil
		},
	}
	cmd.Flags().IntVar(&docs, "docs", 100, "number of documents")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the recombination")
	cmd.Flags().StringVar(&out, "out", "", "folder to write sources.yaml and snapshots/ into")
	return cmd
}
