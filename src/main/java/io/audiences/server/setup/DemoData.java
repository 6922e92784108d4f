package io.audiences.server.setup;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.audiences.model.AudienceCreateRequestDto;
import io.audiences.model.AudienceTypeDto;
import io.audiences.model.ConditionRulesDto;
import io.audiences.model.FilterEntryDto;
import io.audiences.model.FilterGroupDto;
import io.audiences.model.FilterOperatorDto;
import io.audiences.server.audiences.AudienceService;
import io.audiences.server.audiences.AudienceStore;
import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.Principal;
import io.audiences.server.platform.TransactionHook;
import io.audiences.server.upstream.Progress;
import io.audiences.server.upstream.SyntheticData;
import io.audiences.server.upstream.UpstreamWriter;

/**
 * Demo content for the embedded default, seeded in the background once the server is up: the demo upstream
 * data set (when no day has landed yet) and three audiences in the demo project (when it has none).
 */
public final class DemoData {

    private static final Logger LOG = Logger.getLogger(DemoData.class.getName());
    private static final long SEED = 20260501L;

    private DemoData() {
    }

    public static void seed(Database db, AudienceService audiences, DemoTenant.Credentials demo, Clock clock) {
        try {
            SyntheticData data = new SyntheticData(SyntheticData.Spec.demo(SEED, LocalDate.now(ZoneOffset.UTC)));
            UpstreamWriter writer = new UpstreamWriter(db, clock);
            if (writer.landedDays().isEmpty()) {
                LOG.info("Loading the demo data set (" + data.spec().profiles() + " profiles, ~" + data.spec().signals()
                        + " intent signals) ...");
                writer.write(data, 0, Progress.silent());
            }
            Principal owner = new Principal(demo.organizationId, Principal.Kind.USER, demo.userId);
            if (audiences.list(owner, demo.projectId, Optional.empty(), Optional.empty(), Optional.empty(),
                    AudienceStore.Order.CREATED, Optional.empty(), 1).items().isEmpty()) {
                createAudiences(audiences, owner, demo, data);
            }
            LOG.info("Demo data ready: audiences are building (GET /api/v1/audiences with X-Project-Id " + demo.projectId + ").");
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.WARNING, "Demo data could not be seeded", e);
        }
    }

    private static void createAudiences(AudienceService audiences, Principal owner, DemoTenant.Credentials demo,
                                        SyntheticData data) {
        Map<Integer, String> topicIds = new HashMap<>();
        data.topics().forEach(t -> topicIds.put(t.topicKey(), t.id()));
        List<Object> hot = Arrays.stream(data.topicKeysByPopularity()).limit(5).mapToObj(topicIds::get).map(Object.class::cast)
                .toList();
        create(audiences, owner, demo, new AudienceCreateRequestDto().name("Demo: hot-topic intent, last 7 days")
                .type(AudienceTypeDto.INTENTS).intentWindowDays(7)
                .filter(group(rule("INTENT", FilterOperatorDto.IN, hot))));
        create(audiences, owner, demo, new AudienceCreateRequestDto().name("Demo: VP and C-level persona")
                .type(AudienceTypeDto.ELIXIR)
                .filter(group(rule("seniority_level", FilterOperatorDto.IN, List.of("cxo", "vp")))));
        create(audiences, owner, demo, new AudienceCreateRequestDto().name("Demo: companies of 51 to 1000 employees")
                .type(AudienceTypeDto.ELIXIR)
                .filter(group(rule("company_employee_count", FilterOperatorDto.BETWEEN,
                        List.of(new BigDecimal(51), new BigDecimal(1000))))));
    }

    private static void create(AudienceService audiences, Principal owner, DemoTenant.Credentials demo,
                               AudienceCreateRequestDto request) {
        audiences.create(owner, demo.projectId, request, TransactionHook.none());
    }

    private static FilterGroupDto group(FilterEntryDto rule) {
        return new FilterGroupDto().condition(FilterGroupDto.ConditionEnum.AND).rules(List.of(rule));
    }

    private static FilterEntryDto rule(String field, FilterOperatorDto operator, Object value) {
        return new FilterEntryDto().fieldName(field).conditionRules(new ConditionRulesDto().operator(operator).value(value));
    }
}
