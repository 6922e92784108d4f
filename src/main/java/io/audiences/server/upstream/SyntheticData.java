package io.audiences.server.upstream;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.UUID;

/**
 * A deterministic synthetic upstream data set: the same {@link Spec} always yields the same rows, on every JVM.
 *
 * <p>The taxonomy and the companies are small and held in memory; contact records and signals are produced lazily
 * by iterators (never all in memory), so sets of tens of millions of signals stream straight into a file or a
 * database. Every profile and every (profile, day) derives its own random stream from the seed, so a day can be
 * regenerated alone (late data) and tests can recompute expected results from the same iterators.
 *
 * <p>Skew: topic popularity follows a Zipf law (s = 1) over a seeded permutation of the active topics, so a few
 * topics are hot and most are cold; each profile has a few interest topics it returns to on several days; profile
 * activity is exponential (a quarter of the profiles never show intent); profiles carry 1–4 records (50/30/15/5 %);
 * company sizes favour small companies and larger companies employ more of the profiles.
 */
public final class SyntheticData {

    /**
     * What to generate.
     *
     * @param seed     any number; same seed, same data
     * @param profiles number of profiles (ids 1..profiles)
     * @param days     days of signals, the window ending at {@code endDay}
     * @param endDay   the newest day with signals
     * @param signals  target number of signal rows over the whole window (approximate, ±1 %)
     * @param topics   number of topics (a few percent are inactive and never signal)
     */
    public record Spec(long seed, int profiles, int days, LocalDate endDay, long signals, int topics) {

        public Spec {
            if (profiles < 1 || days < 1 || topics < 1 || signals < 0) {
                throw new IllegalArgumentException("profiles, days and topics must be positive, signals not negative");
            }
        }

        /** The demo set: 20k profiles, 30 days, ~200k signals, 600 topics. */
        public static Spec demo(long seed, LocalDate endDay) {
            return new Spec(seed, 20_000, 30, endDay, 200_000, 600);
        }

        /** Default signal count for a size: ten per profile. */
        public static long defaultSignals(int profiles) {
            return 10L * profiles;
        }

        /** Default topic count for a size: from 200 (tiny sets) to 5,000 (millions of profiles). */
        public static int defaultTopics(int profiles) {
            return (int) Math.max(200, Math.min(5_000, profiles / 40L));
        }

        public LocalDate firstDay() {
            return endDay.minusDays(days - 1L);
        }
    }

    private static final long RECORD_STREAM = 1;
    private static final long SIGNAL_PROFILE_STREAM = 2;
    private static final long SIGNAL_DAY_STREAM = 3;
    private static final double INTEREST_SHARE = 0.75;

    private final Spec spec;
    private final List<Upstream.Category> categories;
    private final List<Upstream.Subcategory> subcategories;
    private final List<Upstream.Topic> topics;
    private final List<Upstream.Company> companies;
    /** Active topic keys by popularity rank (rank 0 = hottest) and their cumulative Zipf weights. */
    private final int[] topicByRank;
    private final double[] topicCdf;
    private final double[] companyCdf;
    private final double signalsPerProfileDay;

    public SyntheticData(Spec spec) {
        this.spec = spec;
        Rng rng = new Rng(0).reset(spec.seed, 0);
        Instant base = spec.endDay.minusDays(400).atStartOfDay(ZoneOffset.UTC).toInstant();
        this.categories = new ArrayList<>();
        this.subcategories = new ArrayList<>();
        this.topics = new ArrayList<>();
        buildTaxonomy(rng, base);
        int[] active = topics.stream().filter(t -> "active".equals(t.status())).mapToInt(Upstream.Topic::topicKey).toArray();
        for (int i = active.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = active[i];
            active[i] = active[j];
            active[j] = tmp;
        }
        this.topicByRank = active;
        this.topicCdf = new double[active.length];
        double total = 0;
        for (int r = 0; r < active.length; r++) {
            total += 1.0 / (r + 1);
            topicCdf[r] = total;
        }
        this.companies = buildCompanies(rng);
        this.companyCdf = new double[companies.size()];
        total = 0;
        for (int i = 0; i < companies.size(); i++) {
            total += Math.pow(1 + companies.get(i).employeeBucket(), 1.5);
            companyCdf[i] = total;
        }
        this.signalsPerProfileDay = (double) spec.signals / ((double) spec.profiles * spec.days);
    }

    public Spec spec() {
        return spec;
    }

    public List<Upstream.Category> categories() {
        return categories;
    }

    public List<Upstream.Subcategory> subcategories() {
        return subcategories;
    }

    public List<Upstream.Topic> topics() {
        return topics;
    }

    public List<Upstream.Company> companies() {
        return companies;
    }

    /** The days of the window, oldest first. */
    public List<LocalDate> days() {
        List<LocalDate> days = new ArrayList<>(spec.days);
        for (int i = 0; i < spec.days; i++) {
            days.add(spec.firstDay().plusDays(i));
        }
        return days;
    }

    /** Active topic keys from the hottest to the coldest. */
    public int[] topicKeysByPopularity() {
        return topicByRank.clone();
    }

    /** Expected number of records: 1.75 per profile. */
    public long expectedRecords() {
        return Math.round(spec.profiles * 1.75);
    }

    // ------------------------------------------------------------------------------------------------ records

    /** All contact records, profile by profile (ids {@code profile * 10 + n}, n = 0..3). */
    public Iterator<Upstream.ContactRecord> records() {
        return new Iterator<>() {
            private final Rng rng = new Rng(0);
            private final List<Upstream.ContactRecord> pending = new ArrayList<>(4);
            private int index;
            private long profile;

            @Override
            public boolean hasNext() {
                if (index < pending.size()) {
                    return true;
                }
                if (profile >= spec.profiles) {
                    return false;
                }
                pending.clear();
                index = 0;
                profile++;
                profileRecords(rng, profile, pending);
                return true;
            }

            @Override
            public Upstream.ContactRecord next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return pending.get(index++);
            }
        };
    }

    /** The records of one profile. */
    public List<Upstream.ContactRecord> records(long profileId) {
        List<Upstream.ContactRecord> out = new ArrayList<>(4);
        profileRecords(new Rng(0), profileId, out);
        return out;
    }

    private void profileRecords(Rng rng, long profileId, List<Upstream.ContactRecord> out) {
        rng.reset(spec.seed, RECORD_STREAM, profileId);
        double u = rng.nextDouble();
        int count = u < 0.5 ? 1 : u < 0.8 ? 2 : u < 0.95 ? 3 : 4;
        boolean female = rng.chance(0.49);
        String gender = rng.chance(0.02) ? "unknown" : female ? "female" : "male";
        String first = female ? rng.pick(Names.FEMALE) : rng.pick(Names.MALE);
        String last = rng.pick(Names.LAST);
        int age = rng.weighted(new double[] {10, 25, 25, 20, 13, 7});
        int income = Math.min(7, Math.max(0, (int) Math.round(2.5 + age * 0.4 + rng.gaussian() * 1.5)));
        int netWorth = Math.min(7, Math.max(0, (int) Math.round(income * 0.7 + age * 0.5 + rng.gaussian())));
        Boolean children = rng.chance(0.1) ? null : rng.chance(age == 0 ? 0.1 : 0.55);
        Boolean homeowner = rng.chance(0.1) ? null : rng.chance(0.25 + age * 0.1);
        Boolean married = rng.chance(0.1) ? null : rng.chance(age == 0 ? 0.15 : 0.58);
        String[] home = rng.pick(Names.CITIES);
        String personalEmail = rng.chance(0.15) ? null : (first + "." + last + (rng.nextInt(90) + 10) + "@"
                + rng.pick(Names.MAIL_DOMAINS)).toLowerCase(Locale.ROOT).replace(" ", "").replace("'", "");
        String phone = rng.chance(0.4) ? null : phone(rng, home[4]);
        String linkedin = rng.chance(0.3) ? null : "https://www.linkedin.com/in/" + (first + "-" + last).toLowerCase(Locale.ROOT)
                .replace(" ", "").replace("'", "") + "-" + Long.toHexString(Rng.mix(spec.seed ^ profileId) & 0xFFFFFFL);
        Long company = null;
        int seniority = rng.weighted(new double[] {3, 6, 14, 27, 50});
        int department = rng.nextInt(Names.DEPARTMENTS.length);
        for (int n = 0; n < count; n++) {
            if (n == 0 || rng.chance(0.35)) {
                company = rng.chance(0.08) ? null : companies.get(pickCompany(rng)).id();
                if (n > 0 && rng.chance(0.5)) {
                    seniority = Math.max(0, seniority - 1);
                }
            }
            String[] title = jobTitle(rng, seniority, department);
            Upstream.Company c = company == null ? null : companies.get((int) (company - 1));
            String business = c == null || rng.chance(0.2) ? null
                    : (first.charAt(0) + "." + last + "@" + c.domain()).toLowerCase(Locale.ROOT).replace(" ", "").replace("'", "");
            out.add(new Upstream.ContactRecord(profileId * 10 + n, profileId, company, first, last, gender, age,
                    title[0], title[1], Names.DEPARTMENTS[department], Upstream.SENIORITY_LEVELS.get(seniority), income, netWorth,
                    children, homeowner, married, linkedin, personalEmail, business, phone, home[0], home[1], home[2],
                    home[3] + zip2(rng.nextInt(100)), home[4]));
        }
    }

    private static String zip2(int n) {
        return n < 10 ? "0" + n : Integer.toString(n);
    }

    private int pickCompany(Rng rng) {
        double u = rng.nextDouble() * companyCdf[companyCdf.length - 1];
        int i = Arrays.binarySearch(companyCdf, u);
        return Math.min(companyCdf.length - 1, i >= 0 ? i : -i - 1);
    }

    private static String phone(Rng rng, String country) {
        String prefix = switch (country) {
            case "GB" -> "+44 7";
            case "DE" -> "+49 15";
            case "FR" -> "+33 6";
            case "AU" -> "+61 4";
            case "IN" -> "+91 9";
            default -> "+1 ";
        };
        return prefix + (200 + rng.nextInt(800)) + " " + (100 + rng.nextInt(900)) + " " + (1000 + rng.nextInt(9000));
    }

    /** {raw title, normalized title}. */
    private static String[] jobTitle(Rng rng, int seniority, int department) {
        String dept = Names.DEPARTMENTS[department];
        String normalized = switch (seniority) {
            case 0 -> Names.CXO[department];
            case 1 -> "Vice President of " + dept;
            case 2 -> "Director of " + dept;
            case 3 -> dept + " Manager";
            default -> Names.STAFF[department];
        };
        String raw = switch (seniority) {
            case 1 -> rng.chance(0.5) ? "VP, " + dept : rng.chance(0.5) ? "VP of " + dept : normalized;
            case 2 -> rng.chance(0.3) ? "Sr. Director, " + dept : normalized;
            case 3 -> rng.chance(0.3) ? "Senior " + normalized : normalized;
            case 4 -> rng.chance(0.25) ? "Sr. " + normalized : normalized;
            default -> normalized;
        };
        return new String[] {raw, normalized};
    }

    // ------------------------------------------------------------------------------------------------ signals

    /** The signals of one day (any day; outside the window it is empty), profile by profile. */
    public Iterator<Upstream.Signal> signals(LocalDate day) {
        if (day.isBefore(spec.firstDay()) || day.isAfter(spec.endDay)) {
            return java.util.Collections.emptyIterator();
        }
        long epochDay = day.toEpochDay();
        return new Iterator<>() {
            private final Rng profileRng = new Rng(0);
            private final Rng dayRng = new Rng(0);
            private final int[] interests = new int[8];
            private final int[] chosen = new int[64];
            private final int[] scores = new int[64];
            private final int[] impressions = new int[64];
            private int count;
            private int index;
            private long profile;

            @Override
            public boolean hasNext() {
                while (index >= count) {
                    if (profile >= spec.profiles) {
                        return false;
                    }
                    profile++;
                    index = 0;
                    count = daySignals(profileRng, dayRng, profile, epochDay, interests, chosen, scores, impressions);
                }
                return true;
            }

            @Override
            public Upstream.Signal next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int i = index++;
                return new Upstream.Signal(profile, chosen[i], day, scores[i], impressions[i]);
            }
        };
    }

    private int daySignals(Rng profileRng, Rng dayRng, long profile, long epochDay, int[] interests, int[] chosen,
                           int[] scores, int[] impressions) {
        if (topicByRank.length == 0) {
            return 0;
        }
        profileRng.reset(spec.seed, SIGNAL_PROFILE_STREAM, profile);
        double activity = profileRng.chance(0.25) ? 0 : -Math.log(1 - profileRng.nextDouble()) / 0.75;
        if (activity == 0) {
            return 0;
        }
        dayRng.reset(spec.seed, SIGNAL_DAY_STREAM, profile, epochDay);
        int wanted = Math.min(Math.min(chosen.length, topicByRank.length), dayRng.poisson(signalsPerProfileDay * activity));
        if (wanted == 0) {
            return 0;
        }
        int interestCount = 2 + profileRng.nextInt(5);
        for (int i = 0; i < interestCount; i++) {
            interests[i] = zipfTopic(profileRng);
        }
        int n = 0;
        for (int s = 0; s < wanted; s++) {
            boolean fromInterest = dayRng.chance(INTEREST_SHARE);
            int topic = fromInterest ? interests[dayRng.nextInt(interestCount)] : zipfTopic(dayRng);
            for (int attempt = 0; attempt < 8 && contains(chosen, n, topic); attempt++) {
                topic = zipfTopic(dayRng);
                fromInterest = false;
            }
            if (contains(chosen, n, topic)) {
                continue;
            }
            chosen[n] = topic;
            scores[n] = Math.max(0, Math.min(100, (int) Math.round(52 + 18 * dayRng.gaussian() + (fromInterest ? 12 : 0))));
            int imp = 1;
            while (imp < 50 && dayRng.chance(0.6)) {
                imp++;
            }
            impressions[n] = imp;
            n++;
        }
        return n;
    }

    private static boolean contains(int[] values, int n, int value) {
        for (int i = 0; i < n; i++) {
            if (values[i] == value) {
                return true;
            }
        }
        return false;
    }

    private int zipfTopic(Rng rng) {
        double u = rng.nextDouble() * topicCdf[topicCdf.length - 1];
        int i = Arrays.binarySearch(topicCdf, u);
        return topicByRank[Math.min(topicCdf.length - 1, i >= 0 ? i : -i - 1)];
    }

    // ------------------------------------------------------------------------------------------------ taxonomy

    private void buildTaxonomy(Rng rng, Instant base) {
        int categoryCount = Math.max(1, Math.min(Names.CATEGORIES.length, (int) Math.round(Math.sqrt(spec.topics) / 1.5)));
        int subcategoryCount = Math.max(categoryCount, Math.min(spec.topics, Math.max(categoryCount, spec.topics / 25)));
        for (int c = 0; c < categoryCount; c++) {
            String[] def = Names.CATEGORIES[c];
            boolean inactive = categoryCount >= 20 && c == categoryCount - 1;
            categories.add(new Upstream.Category(uuid(rng), def[0], def[1], inactive ? "inactive" : "active",
                    base.plusSeconds(60L * c), c % 4 == 1 ? base.plusSeconds(86_400L * 30 + c) : null));
        }
        for (int s = 0; s < subcategoryCount; s++) {
            // Every category gets one, then the rest go mostly to the first (bigger) categories.
            int c = s < categoryCount ? s : Math.min(categoryCount - 1, (int) (categoryCount * Math.pow(rng.nextDouble(), 1.6)));
            Upstream.Category category = categories.get(c);
            String noun = Names.SUBCATEGORY_NOUNS[s % Names.SUBCATEGORY_NOUNS.length];
            String name = category.name() + " " + noun + (s >= Names.SUBCATEGORY_NOUNS.length
                    ? " " + (s / Names.SUBCATEGORY_NOUNS.length + 1) : "");
            boolean inactive = "inactive".equals(category.status()) || (subcategoryCount >= 20 && s == subcategoryCount - 2);
            subcategories.add(new Upstream.Subcategory(uuid(rng), category.id(), name,
                    noun + " within " + category.name().toLowerCase(Locale.ROOT) + ".", inactive ? "inactive" : "active",
                    base.plusSeconds(3_600L + 60L * s), s % 7 == 3 ? base.plusSeconds(86_400L * 60 + s) : null));
        }
        String[] vendors = {"4eyes", "4eyes", "4eyes", "bmb", "tpx"};
        for (int t = 0; t < spec.topics; t++) {
            int key = t + 1;
            Upstream.Subcategory sub = subcategories.get(t < subcategoryCount ? t : rng.nextInt(subcategoryCount));
            String prefix = Names.TOPIC_PREFIXES[rng.nextInt(Names.TOPIC_PREFIXES.length)];
            String noun = Names.TOPIC_NOUNS[rng.nextInt(Names.TOPIC_NOUNS.length)];
            String name = prefix + " " + noun;
            String type = Upstream.TOPIC_TYPES.get(rng.weighted(new double[] {60, 30, 10}));
            boolean inactive = "inactive".equals(sub.status()) || (spec.topics >= 20 && rng.chance(0.03));
            String keywords = String.join(",", prefix.toLowerCase(Locale.ROOT), noun.toLowerCase(Locale.ROOT),
                    (prefix + " " + noun).toLowerCase(Locale.ROOT));
            topics.add(new Upstream.Topic(vendors[t % vendors.length] + "_" + (115_000 + key * 7L), key, sub.id(), name,
                    "Research and buying activity about " + name.toLowerCase(Locale.ROOT) + ".", keywords, type,
                    inactive ? "inactive" : "active", base.plusSeconds(7_200L + 10L * t),
                    t % 11 == 5 ? base.plusSeconds(86_400L * 90 + t) : null));
        }
        // Keep at least one active topic so every set can signal.
        if (topics.stream().noneMatch(t -> "active".equals(t.status()))) {
            Upstream.Topic t = topics.getFirst();
            topics.set(0, new Upstream.Topic(t.id(), t.topicKey(), t.subcategoryId(), t.name(), t.description(), t.keywords(),
                    t.topicType(), "active", t.createdAt(), t.updatedAt()));
        }
    }

    private static UUID uuid(Rng rng) {
        long msb = (rng.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (rng.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }

    private List<Upstream.Company> buildCompanies(Rng rng) {
        int count = Math.max(20, spec.profiles / 20);
        List<Upstream.Company> out = new ArrayList<>(count);
        double[] sizeWeights = {30, 25, 18, 10, 6, 6, 3, 2};
        for (int i = 1; i <= count; i++) {
            int employees = rng.weighted(sizeWeights);
            int revenue = Math.max(0, Math.min(7, employees + rng.nextInt(3) - 1));
            String base = rng.pick(Names.COMPANY_PREFIXES) + " " + rng.pick(Names.COMPANY_NOUNS);
            String name = base + " " + rng.pick(Names.COMPANY_SUFFIXES);
            String[] place = rng.pick(Names.CITIES);
            String domain = base.toLowerCase(Locale.ROOT).replace(" ", "") + i + "." + ("US".equals(place[4]) ? "com"
                    : place[4].toLowerCase(Locale.ROOT));
            out.add(new Upstream.Company(i, name, domain, rng.pick(Names.INDUSTRIES), employees, revenue, place[4], place[1]));
        }
        return List.copyOf(out);
    }
}
