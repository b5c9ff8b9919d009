#ifndef COMMON_PARALLEL_H_
#define COMMON_PARALLEL_H_

#include <cstddef>
#include <functional>

namespace tracker {

// Runs fn(0) ... fn(n - 1) on at most `concurrency` threads and returns when
// all are done. For fanning out blocking HTTP calls with a bound, so 1,000
// lookups take about ceil(1000 / concurrency) round trips, not 1,000.
void ParallelFor(size_t n, int concurrency, const std::function<void(size_t)>& fn);

}  // namespace tracker

#endif  // COMMON_PARALLEL_H_
