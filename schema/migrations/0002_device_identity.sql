-- 0002: device identity. Each detector is one AWS IoT thing; its readings are accepted only
-- when signed with the private key of a certificate registered here (docs/device-identity.md).
-- A detector keeps its thing for life; certificates rotate: at most one is active at a time,
-- and a revoked one stays on record for audit.

ALTER TABLE detectors
    ADD COLUMN iot_thing_name VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER serial,
    ADD CONSTRAINT uq_detectors_thing UNIQUE (iot_thing_name),
    -- AWS IoT CreateThing: 1-128 characters of [a-zA-Z0-9:_-].
    ADD CONSTRAINT ck_detectors_thing CHECK (iot_thing_name IS NULL OR iot_thing_name REGEXP '^[a-zA-Z0-9:_-]{1,128}$');

CREATE TABLE device_certificates (
    id              CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    detector_id     CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    -- AWS IoT certificate ids are 64 hex digits (the SHA-256 of the certificate).
    certificate_id  CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    certificate_pem TEXT CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    status          VARCHAR(16) CHARACTER SET ascii NOT NULL DEFAULT 'active',
    created_at      DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),
    revoked_at      DATETIME(3) NULL,
    -- The detector while the certificate is active, NULL once revoked: the unique key below allows
    -- one active certificate per detector. (MariaDB 10.11 refuses IF/CASE in a generated column here,
    -- so the checks below keep this plain column consistent instead.)
    active_detector CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_device_certificates_certificate (certificate_id),
    UNIQUE KEY uq_device_certificates_active (active_detector),
    KEY ix_device_certificates_detector (detector_id, status),
    CONSTRAINT fk_device_certificates_detector FOREIGN KEY (detector_id) REFERENCES detectors (id),
    CONSTRAINT ck_device_certificates_id CHECK (certificate_id REGEXP '^[0-9a-f]{64}$'),
    CONSTRAINT ck_device_certificates_pem CHECK (certificate_pem LIKE '-----BEGIN %'),
    CONSTRAINT ck_device_certificates_status CHECK (status IN ('active', 'revoked')),
    CONSTRAINT ck_device_certificates_revoked CHECK ((status = 'revoked') = (revoked_at IS NOT NULL)),
    CONSTRAINT ck_device_certificates_active CHECK (IF(status = 'active', active_detector <=> detector_id, active_detector IS NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
