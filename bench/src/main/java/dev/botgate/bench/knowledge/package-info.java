/** Knowledge retrieval benchmarks: quality on CMRC 2018 and the 云杉 FAQ, import and search speed. */
package dev.botgate.bench.knowledge;
