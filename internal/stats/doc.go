// Package stats computes the figures of the leaders' dashboard (领导驾驶舱,
// 履职评价): how much data the departments exchange, what they ask for, how
// fast requests are decided, what grants exist, how good the data fed in
// is, and which access attempts were refused.
//
// # Where the figures come from
//
// Every figure is an aggregation over the live database, computed by the
// Store in SQL: nothing is cached and nothing is counted by loading rows
// into Go. The audit log is the source for what happened (gateway reads and
// refusals), the sharing tables for requests and grants, the catalog for
// names and share types and the ingest batches for data quality.
//
// # Days
//
// A dashboard covers a window of whole days in China Standard Time (UTC+8,
// the platform's business day, as for daily quotas): the last Days days up
// to and including today. Counts per day are listed for every day of the
// window, zero included, so that a chart's axis has no gaps.
//
// # Who may see it
//
// Admins and auditors. The figures are aggregates (counts, durations,
// ratios) with org and resource names, never a record's values, so reading
// them is not a data read and is not written to the audit log.
package stats
