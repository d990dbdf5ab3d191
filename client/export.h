/*
 * export.h - `failprobe export`: a run as CSV files, for spreadsheets,
 * notebooks and plotting tools.
 */
#ifndef FP_EXPORT_H
#define FP_EXPORT_H

/* argv[0] is "export".  Exit status: 0 exported (a truncated ledger tail is
 * reported and the rest exported), 2 an error. */
int			fp_export_main(int argc, char **argv);

#endif
