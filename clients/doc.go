// Package clients holds tests that load a freshly built release with the
// programs users load it with: DuckDB (through duckdb-go) and pandas. It is
// a nested module so that the main module stays free of cgo.
package clients
