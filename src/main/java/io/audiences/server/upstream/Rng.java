package io.audiences.server.upstream;

/** SplitMix64: tiny, fast, re-seedable without allocation, identical on every JVM. */
final class Rng {

    private long state;

    Rng(long seed) {
        this.state = seed;
    }

    /** Restarts the sequence from a seed derived from the given parts. */
    Rng reset(long... parts) {
        long h = 0x6A09E667F3BCC909L;
        for (long p : parts) {
            h = mix(h ^ mix(p + 0x9E3779B97F4A7C15L));
        }
        state = h;
        return this;
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    long nextLong() {
        state += 0x9E3779B97F4A7C15L;
        return mix(state);
    }

    /** Uniform in [0, 1). */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, bound). */
    int nextInt(int bound) {
        return (int) ((nextLong() >>> 33) % bound);
    }

    boolean chance(double p) {
        return nextDouble() < p;
    }

    double gaussian() {
        double u1 = 1.0 - nextDouble();
        double u2 = nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** Index drawn with the given (not necessarily normalized) weights. */
    int weighted(double[] weights) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double u = nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            u -= weights[i];
            if (u < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    <T> T pick(T[] values) {
        return values[nextInt(values.length)];
    }

    /** Poisson-distributed count (Knuth below 30, normal approximation above). */
    int poisson(double lambda) {
        if (lambda <= 0) {
            return 0;
        }
        if (lambda > 30) {
            return Math.max(0, (int) Math.round(lambda + Math.sqrt(lambda) * gaussian()));
        }
        double l = Math.exp(-lambda);
        int k = 0;
        double p = 1;
        do {
            k++;
            p *= nextDouble();
        } while (p > l);
        return k - 1;
    }
}
