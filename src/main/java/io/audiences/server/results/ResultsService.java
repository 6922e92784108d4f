package io.audiences.server.results;

import java.util.List;

import io.audiences.server.audiences.Audience;
import io.audiences.server.platform.DomainException;

/** What an audience's results may be read, and when. */
public final class ResultsService {

    private final ResultsStore store;

    public ResultsService(ResultsStore store) {
        this.store = store;
    }

    /** A sample of the last completed snapshot, whatever the audience's current build or pause state. */
    public List<Contact> sample(Audience audience, int limit) {
        requireSnapshot(audience);
        return store.sample(audience.id(), limit);
    }

    private static void requireSnapshot(Audience audience) {
        if ("preview".equals(audience.mode())) {
            throw DomainException.conflict("preview_only", "Preview audiences have counts only; create it with mode unload.");
        }
        if (audience.currentBuildId() == null) {
            throw DomainException.conflict("audience_not_ready", "The audience has no completed build yet; poll it until "
                    + "status is Completed.");
        }
    }
}
