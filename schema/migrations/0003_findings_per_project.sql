-- 0003: the registry keeps per object and per client/project/hour, not per detector per object
-- (issue 17). Before, inference wrote a data_files row and a findings row for every detector in
-- every Firehose object: ~11 GB a month at 1,000 detectors. Now:
--   * findings: one row per (client, project, UTC hour, source object); detector_id is set only
--     when one detector made the finding (batch files), detector_count says how many did;
--   * stream_objects: one row per curated stream object inference read (what came in, once);
--   * detector_days: one row per detector per UTC day it reported (the silence check's input);
--     first/last are widened with LEAST/GREATEST, so a replay changes nothing.
-- Batch conversion still records data_files per uploaded file (one file = one detector).

ALTER TABLE findings
    MODIFY detector_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
    ADD COLUMN detector_count INT UNSIGNED NOT NULL DEFAULT 1 AFTER detector_id,
    ADD COLUMN row_count INT UNSIGNED NOT NULL DEFAULT 0 AFTER detector_count,
    ADD COLUMN alert_count INT UNSIGNED NOT NULL DEFAULT 0 AFTER row_count;

-- The findings object's key names its client, project, hour and source object, so (key, period
-- start) is the finding's identity: a duplicated delivery of one source object rewrites the same
-- object and finds the same row, it never doubles a client's rows.
ALTER TABLE findings
    DROP INDEX uq_findings_natural,
    ADD UNIQUE KEY uq_findings_natural (s3_key_hash, period_start),
    ADD CONSTRAINT ck_findings_detectors CHECK (detector_count >= 1 AND (detector_id IS NULL OR detector_count = 1)),
    ADD CONSTRAINT ck_findings_alerts CHECK (alert_count <= row_count);

CREATE TABLE stream_objects (
    s3_key_hash      BINARY(32) NOT NULL,
    s3_key           VARCHAR(1024) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    checksum         VARCHAR(128) CHARACTER SET ascii NOT NULL,
    row_count        INT UNSIGNED NOT NULL,
    detector_count   INT UNSIGNED NOT NULL,
    unassigned_rows  INT UNSIGNED NOT NULL,
    first_reading_at DATETIME(3) NOT NULL,
    last_reading_at  DATETIME(3) NOT NULL,
    received_at      DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
    PRIMARY KEY (s3_key_hash),
    CONSTRAINT ck_stream_objects_key CHECK (CHAR_LENGTH(s3_key) > 0),
    CONSTRAINT ck_stream_objects_range CHECK (last_reading_at >= first_reading_at),
    CONSTRAINT ck_stream_objects_unassigned CHECK (unassigned_rows <= row_count)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE detector_days (
    detector_id      CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    day              DATE NOT NULL,
    first_reading_at DATETIME(3) NOT NULL,
    last_reading_at  DATETIME(3) NOT NULL,
    PRIMARY KEY (detector_id, day),
    CONSTRAINT fk_detector_days_detector FOREIGN KEY (detector_id) REFERENCES detectors (id),
    CONSTRAINT ck_detector_days_range CHECK (last_reading_at >= first_reading_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Existing per-detector stream rows become detector days; the rows themselves are kept (batch
-- files are still data_files), stream rows older than today can be deleted by the operator.
INSERT INTO detector_days (detector_id, day, first_reading_at, last_reading_at)
SELECT detector_id, DATE(first_reading_at), MIN(first_reading_at), MAX(last_reading_at)
  FROM data_files WHERE source = 'stream' AND first_reading_at IS NOT NULL
 GROUP BY detector_id, DATE(first_reading_at)
ON DUPLICATE KEY UPDATE first_reading_at = LEAST(detector_days.first_reading_at, VALUES(first_reading_at)),
                        last_reading_at = GREATEST(detector_days.last_reading_at, VALUES(last_reading_at));

-- The overlap check's parameters were utf8mb4 while the columns are ascii: the comparison
-- converted every row and could not use ix_deployments_detector_start, so each deployment write
-- scanned the whole table (20,000 deployments took minutes). Same procedure, ascii parameters.
DROP PROCEDURE IF EXISTS assert_no_deployment_overlap;

CREATE PROCEDURE assert_no_deployment_overlap(
    IN p_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin,
    IN p_detector CHAR(36) CHARACTER SET ascii COLLATE ascii_bin,
    IN p_starts DATETIME(3), IN p_ends DATETIME(3))
BEGIN
    DECLARE locked CHAR(36) CHARACTER SET ascii COLLATE ascii_bin;
    DECLARE clashes INT;
    SELECT id INTO locked FROM detectors WHERE id = p_detector FOR UPDATE;
    SELECT COUNT(*) INTO clashes FROM deployments
     WHERE detector_id = p_detector
       AND id <> p_id
       AND starts_at < COALESCE(p_ends, '9999-12-31 23:59:59.999')
       AND p_starts < COALESCE(ends_at, '9999-12-31 23:59:59.999')
     LOCK IN SHARE MODE;
    IF clashes > 0 THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'mdetect:overlapping_deployment';
    END IF;
END;
