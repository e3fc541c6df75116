package io.kubundle.api.runtime;

/**
 * The cgroup settings derived from Kubernetes' requests and limits, as the kubelet computes them:
 * CPU shares from the request (1024 per CPU, at least 2), a CFS quota from the limit over a 100 ms
 * period, a memory limit in bytes. Zero means unset (no limit).
 *
 * @param cpuShares {@code cpu.shares}
 * @param cpuQuotaMicros {@code cpu.cfs_quota_us} per {@code cpuPeriodMicros}; 0 for none
 * @param cpuPeriodMicros {@code cpu.cfs_period_us}; 0 for the default 100000
 * @param memoryLimitBytes {@code memory.limit_in_bytes}; 0 for none
 */
public record Resources(long cpuShares, long cpuQuotaMicros, long cpuPeriodMicros, long memoryLimitBytes) {
    /** No limits, the default shares. */
    public static final Resources NONE = new Resources(2, 0, 0, 0);

    /** Kubernetes' translation of a CPU request and limit in millicores and a memory limit in bytes. */
    public static Resources fromKubernetes(long cpuRequestMillis, long cpuLimitMillis, long memoryLimitBytes) {
        long shares = Math.max(2, cpuRequestMillis * 1024 / 1000);
        long period = 100_000;
        long quota = cpuLimitMillis <= 0 ? 0 : Math.max(1000, cpuLimitMillis * period / 1000);
        return new Resources(shares, quota, quota == 0 ? 0 : period, Math.max(0, memoryLimitBytes));
    }
}
