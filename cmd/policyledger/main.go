// Command policyledger builds the policyledger dataset: flags and
// environment → configuration → pipeline.Run → run report and exit code.
//
// Exit codes: 0 success; 1 one or more documents failed (nothing released);
// 2 usage or configuration error; 3 the run stopped (bad manifest, or the
// release could not be written or would modify a published version).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/policyledger/policyledger/pipeline"
	"github.com/policyledger/policyledger/sources"
	"github.com/policyledger/policyledger/stages/align"
	"github.com/policyledger/policyledger/stages/fetch"
	"github.com/policyledger/policyledger/stages/release"
)

// Exit codes.
const (
	exitOK       = 0
	exitFailures = 1
	exitUsage    = 2
	exitStopped  = 3
)

// memoryLimit is the Go heap's soft limit unless GOMEMLIMIT sets another:
// the runner keeps about 100 MB live whatever the corpus, and the limit
// keeps the collector from letting garbage grow the process past ~300 MB.
//
// gcPercent is the collector's target unless GOGC sets another. Under the
// limit, a heap may grow to three times what is live before a collection
// (Go's default is twice): 6 to 10 % less CPU at N = 1000 and 10000. At
// N = 1000 the peak is then 257 MB instead of 197; at 10000 the limit
// decides it either way (286 MB, as with the default).
const (
	memoryLimit = 240 << 20
	gcPercent   = 200
)

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "policyledger:", err)
	var ue usageError
	switch {
	case errors.As(err, &ue), strings.HasPrefix(err.Error(), "unknown command"):
		return exitUsage
	case errors.Is(err, pipeline.ErrFatal):
		return exitStopped
	}
	return exitFailures
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "policyledger",
		Short: "Build the policyledger dataset of China–Latin America policy clauses",
		Long: `policyledger turns pinned snapshots of China–Latin America and Caribbean policy
documents into a versioned dataset of clauses and aligned sentences, released as
Parquet, CSV and JSON Lines with datapackage.json, a data card and checksums.

Configuration precedence: flag > environment (POLICYLEDGER_<KEY>, e.g.
POLICYLEDGER_VERSION) > policyledger.yaml > default.

Exit codes: 0 success; 1 a document failed (nothing released); 2 usage or
configuration error; 3 run stopped (bad manifest, release not writable, or a
published version would change).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newRunCmd(), newFetchCmd(), newAddCmd(), newStagesCmd(), newSchemaCmd(), newRefitCmd(), newVersionCmd(), newGenCorpusCmd(), newReportCmd())
	return root
}

func newRunCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the pipeline: fetch, clean, parse, align, classify, release",
		Long: `Run the stages in order over every source in the manifest and write
<output>/releases/<version>/. With --until STAGE, stop after that stage and write
its documents as JSON to <output>/work/STAGE/ for inspection.

A release is built in a hidden staging folder and published by one rename. If
the version folder exists already, identical bytes make the run a no-op and
different bytes are refused: bump --version.`,
		Args: noArgs,
		RunE: pipelineRun(""),
	}
	addFlags(cmd.Flags(), false)
	// Profiles for measurement (make bench, the performance section of the
	// README); hidden, and not settings: they change nothing in the output.
	cmd.Flags().String("cpuprofile", "", "write a pprof CPU profile of the run to this file")
	cmd.Flags().String("memprofile", "", "write a pprof heap profile at the end of the run to this file")
	cmd.Flags().MarkHidden("cpuprofile")
	cmd.Flags().MarkHidden("memprofile")
	return cmd
}

// profile starts the profiles the hidden flags ask for and returns the
// function that finishes them.
func profile(cmd *cobra.Command) (func(), error) {
	cpu, _ := cmd.Flags().GetString("cpuprofile")
	mem, _ := cmd.Flags().GetString("memprofile")
	var f *os.File
	if cpu != "" {
		var err error
		if f, err = os.Create(cpu); err != nil {
			return nil, usageError{fmt.Errorf("--cpuprofile: %w", err)}
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, usageError{fmt.Errorf("--cpuprofile: %w", err)}
		}
	}
	return func() {
		if f != nil {
			pprof.StopCPUProfile()
			f.Close()
		}
		if mem != "" {
			if m, err := os.Create(mem); err == nil {
				runtime.GC()
				pprof.WriteHeapProfile(m)
				m.Close()
			}
		}
	}, nil
}

// pipelineRun is the body of the commands that run the pipeline; a command
// that always stops after one stage names it.
func pipelineRun(until string) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		cfg, warnings, err := loadConfig(cmd.Flags())
		if until != "" {
			cfg.Until = until
		}
		for _, w := range warnings {
			fmt.Fprintln(cmd.ErrOrStderr(), "policyledger: warning:", w)
		}
		if err != nil {
			return err
		}
		return runPipeline(cmd, cfg)
	}
}

func runPipeline(cmd *cobra.Command, cfg Config) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return usageError{fmt.Errorf("log_level %q: use debug, info, warn or error", cfg.LogLevel)}
	}
	if err := release.CheckVersion(cfg.Version); err != nil {
		return usageError{err}
	}
	if cfg.ReviewThreshold < 0 || cfg.ReviewThreshold > 1 {
		return usageError{fmt.Errorf("review_threshold %v: use a number from 0 to 1", cfg.ReviewThreshold)}
	}
	if cfg.ReportRows < 0 {
		return usageError{fmt.Errorf("report_rows %d: use 0 (print every line) or a positive number", cfg.ReportRows)}
	}
	if cfg.Jobs < 0 {
		return usageError{fmt.Errorf("jobs %d: use 0 (one per core) or a positive number", cfg.Jobs)}
	}
	fo, err := fetchOptions(cmd, cfg)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
	opt := pipeline.Options{
		Until:  cfg.Until,
		Strict: cfg.Strict,
		Jobs:   cfg.Jobs,
		CacheDir: func() string {
			if cfg.NoCache {
				return ""
			}
			return filepath.Join(cfg.Output, "cache")
		}(),
		Fetch:    fo,
		Progress: docProgress(cmd.ErrOrStderr(), logger),
		Align:    align.Options{ReviewThreshold: cfg.ReviewThreshold},
		Release:  release.Options{Output: cfg.Output, Version: cfg.Version, CSVBOM: cfg.CSVBOM, ReviewThreshold: cfg.ReviewThreshold},
		Logger:   logger,
	}
	if opt.Sources, opt.ManifestPath, err = sourcesFS(cfg); err != nil {
		return err
	}
	if opt.Until != "" && !contains(pipeline.StageNames(), opt.Until) {
		return usageError{fmt.Errorf("--until %q: not a stage; stages are %v", opt.Until, pipeline.StageNames())}
	}
	stop, err := profile(cmd)
	if err != nil {
		return err
	}
	st, err := pipeline.Run(cmd.Context(), opt)
	stop()
	if st != nil {
		pipeline.WriteReport(cmd.OutOrStdout(), st, cfg.ReportRows)
	}
	return err
}

// sourcesFS is the sources folder the configuration names: the embedded
// copy, or the folder of a sources.yaml on disk.
func sourcesFS(cfg Config) (fs.FS, string, error) {
	if cfg.Sources == "" {
		return sources.FS(), sources.Manifest, nil
	}
	if _, err := os.Stat(cfg.Sources); err != nil {
		return nil, "", usageError{fmt.Errorf("sources %s: %w: pass the path of a sources.yaml", cfg.Sources, err)}
	}
	return sources.DirFS(filepath.Dir(cfg.Sources)), filepath.Base(cfg.Sources), nil
}

// fetchOptions turns the fetch settings into the stage's options.
func fetchOptions(cmd *cobra.Command, cfg Config) (fetch.Options, error) {
	h := fetch.DefaultHTTP
	d, err := time.ParseDuration(cfg.FetchTimeout)
	if err != nil || d <= 0 {
		return fetch.Options{}, usageError{fmt.Errorf("fetch_timeout %q: use a duration such as 60s", cfg.FetchTimeout)}
	}
	if cfg.FetchRetries < 0 || cfg.FetchMaxBody <= 0 {
		return fetch.Options{}, usageError{fmt.Errorf("fetch_retries must be ≥ 0 and fetch_max_body > 0")}
	}
	if cfg.AcceptChanges && !cfg.Refresh {
		return fetch.Options{}, usageError{fmt.Errorf("--accept-changes goes with --refresh")}
	}
	h.Timeout, h.Retries, h.MaxBody, h.AllowPrivate = d, cfg.FetchRetries, cfg.FetchMaxBody, cfg.FetchAllowPrivate
	h.Progress = progress(cmd.ErrOrStderr())
	o := fetch.Options{Refresh: cfg.Refresh, AcceptChanges: cfg.AcceptChanges, HTTP: h}
	if cfg.Sources != "" {
		o.Dir = filepath.Dir(cfg.Sources)
	}
	return o, nil
}

// progress draws a bar per download on a terminal, and nothing otherwise
// (the run report and logs say what happened).
func progress(w io.Writer) func(id string, read, total int64) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	bars := map[string]*progressbar.ProgressBar{}
	var mu sync.Mutex
	return func(id string, read, total int64) {
		mu.Lock()
		defer mu.Unlock()
		b, ok := bars[id]
		if !ok {
			b = progressbar.NewOptions64(total, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription("fetch "+id),
				progressbar.OptionShowBytes(true), progressbar.OptionClearOnFinish())
			bars[id] = b
		}
		b.Set64(read)
	}
}

// docProgress shows how far a run is through its documents: a bar on a
// terminal; elsewhere (a scheduled job's log) a line at each tenth of a
// corpus of 100 documents or more, with the seconds since the run began.
func docProgress(w io.Writer, log *slog.Logger) func(done, total int) {
	start := time.Now()
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		var bar *progressbar.ProgressBar
		return func(done, total int) {
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription("documents"),
					progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100*time.Millisecond),
					progressbar.OptionClearOnFinish())
			}
			bar.Set(done)
		}
	}
	return func(done, total int) {
		if total >= 100 && done*10/total != (done-1)*10/total {
			log.Info("progress", "docs", done, "of", total, "seconds", fmt.Sprintf("%.1f", time.Since(start).Seconds()))
		}
	}
}

func newFetchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fetch",
		Short: "Verify the pinned snapshots, and with --refresh fetch the sources from the web",
		Long: `Run only the fetch stage. Without --refresh, verify every snapshot against its pinned
sha256. With --refresh (and --sources pointing at a sources.yaml on disk), fetch every
source that has a url: a body that differs from the pin is written as a new snapshot next
to the old one and reported; nothing is overwritten, and the pin moves only with
--accept-changes.`,
		Args: noArgs,
		RunE: pipelineRun("fetch"),
	}
	addFlags(cmd.Flags(), true)
	return cmd
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func newStagesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "stages",
		Short: "List the pipeline's stages in order",
		Args:  noArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			for i, s := range pipeline.Describe() {
				fmt.Fprintf(cmd.OutOrStdout(), "%d. %-9s %s\n", i+1, s[0], s[1])
			}
		},
	}
}

func newSchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the released tables' schema reference as Markdown",
		Args:  noArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprint(cmd.OutOrStdout(), release.SchemaReference("###"))
		},
	}
}

func newRefitCmd() *cobra.Command {
	var out, version, src string
	cmd := &cobra.Command{
		Use:   "refit",
		Short: "Fit the alignment length model to the sources' bilingual paragraphs and write model.yaml",
		Long: `Parse every source, fit the Gale–Church length model (English:Chinese length ratio
and variance) to their bilingual paragraphs, and write it as YAML to --out (default:
standard output). Every document is aligned with the shipped model, so that no
document's rows depend on the others in a run; refit when the corpus has grown, review
the diff of stages/align/model.yaml, and say so in the dataset changelog.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			opt := pipeline.Options{Until: "parse", NoWorkFiles: true}
			if opt.Sources, opt.ManifestPath, err = sourcesFS(Config{Sources: src}); err != nil {
				return err
			}
			st, err := pipeline.Run(cmd.Context(), opt)
			if err != nil {
				return err
			}
			b := align.Refit(st.Docs, version)
			if out == "" {
				_, err = cmd.OutOrStdout().Write(b)
				return err
			}
			return os.WriteFile(out, b, 0o644)
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "file to write (for the shipped model: stages/align/model.yaml)")
	cmd.Flags().StringVar(&version, "model-version", align.DefaultModel.Version, "version to give the fitted model")
	cmd.Flags().StringVar(&src, "sources", "", "path of a sources.yaml on disk; empty uses the embedded sources")
	return cmd
}
