-- Per-build aggregate of the window's qualifying signals, one row per profile. Builds fill it and join records
-- against it by index; joining a grouped derived table instead makes H2 re-run the aggregate for every record.
CREATE TABLE build_signal (
    build_id   BIGINT NOT NULL,
    profile_id BIGINT NOT NULL,
    freq       INT NOT NULL,
    imp        BIGINT NOT NULL,
    last_day   DATE NOT NULL,
    flags      BIGINT NOT NULL,
    PRIMARY KEY (build_id, profile_id)
);
