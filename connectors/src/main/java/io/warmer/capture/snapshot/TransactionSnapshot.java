package io.warmer.capture.snapshot;

import java.util.HashSet;
import java.util.Set;

/**
 * What an MVCC snapshot sees, as {@code pg_current_snapshot()} prints it ({@code xmin:xmax:xip,...}, 64-bit
 * transaction ids): a transaction is visible when it finished before the snapshot, that is below {@code xmax} and
 * not in progress ({@code xip}). Visibility is for good: a transaction a snapshot sees, every later snapshot sees.
 */
record TransactionSnapshot(long xmin, long xmax, Set<Long> inProgress) {

    TransactionSnapshot {
        inProgress = Set.copyOf(inProgress);
    }

    static TransactionSnapshot parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a pg_snapshot: '" + text + "'");
        }
        Set<Long> xip = new HashSet<>();
        if (!parts[2].isEmpty()) {
            for (String xid : parts[2].split(",")) {
                xip.add(Long.parseLong(xid));
            }
        }
        return new TransactionSnapshot(Long.parseLong(parts[0]), Long.parseLong(parts[1]), xip);
    }

    /**
     * Whether a transaction the stream delivered is visible here.
     *
     * @param xid32 the transaction id as logical decoding reports it: its low 32 bits, without the epoch
     */
    boolean sees(long xid32) {
        long xid = widen(xid32);
        return xid < xmin || (xid < xmax && !inProgress.contains(xid));
    }

    /**
     * The 64-bit id of a recent 32-bit transaction id: the one nearest {@code xmax}, whose epoch it shares unless it
     * is from just before a wraparound of the 32-bit counter.
     */
    long widen(long xid32) {
        long candidate = (xmax & ~0xFFFF_FFFFL) | (xid32 & 0xFFFF_FFFFL);
        if (candidate > xmax + (1L << 31)) {
            candidate -= 1L << 32;
        } else if (candidate < xmax - (1L << 31)) {
            candidate += 1L << 32;
        }
        return candidate;
    }
}
