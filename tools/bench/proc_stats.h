#ifndef TOOLS_BENCH_PROC_STATS_H_
#define TOOLS_BENCH_PROC_STATS_H_

// What a benchmark reads of another process from /proc: CPU used so far
// and peak memory.

namespace tracker::bench {

// User + system CPU seconds of `pid` since it started (/proc/PID/stat).
double CpuSeconds(int pid);

// Peak resident memory of `pid` in MiB (VmHWM of /proc/PID/status); -1
// when it cannot be read.
long PeakRssMb(int pid);

}  // namespace tracker::bench

#endif  // TOOLS_BENCH_PROC_STATS_H_
