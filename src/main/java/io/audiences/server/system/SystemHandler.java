package io.audiences.server.system;

import io.audiences.api.SystemService;
import io.audiences.model.Health;
import io.audiences.model.HealthStatus;
import io.audiences.server.platform.Contract;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.HttpIo;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** Health and the contract itself. */
public final class SystemHandler implements SystemService {

    private final Database db;
    private final byte[] document;

    public SystemHandler(Database db, Contract contract) {
        this.db = db;
        this.document = contract.document();
    }

    @Override
    public void getHealth(ServerRequest req, ServerResponse res) {
        boolean up = db.ping();
        HealthStatus status = up ? HealthStatus.UP : HealthStatus.DOWN;
        HttpIo.json(res, up ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503, new Health().status(status).database(status));
    }

    @Override
    public void getOpenApi(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "application/yaml");
        res.send(document);
    }
}
