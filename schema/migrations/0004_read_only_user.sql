-- 0004: the read-only database user (issue 13). The API's read and download functions and the
-- silence check only read the registry, so they connect as mdetect_reader, which may SELECT and
-- nothing else; only the functions that write connect as the application user (deploy-migration.ts).
--
-- On RDS the account authenticates with IAM tokens only (AWS docs, "Creating a database account
-- using IAM authentication": IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'), over TLS. A server
-- without that plugin (the local MariaDB, or an instance with IAM auth disabled) answers ERROR 1524
-- "Plugin 'AWSAuthenticationPlugin' is not loaded": there the account is created locked, with no
-- way to sign in until someone deliberately gives it one (the local cloud does: docs/local.md).
-- Accounts are server-wide, so IF NOT EXISTS keeps every further database's migration a no-op here.
BEGIN NOT ATOMIC
    DECLARE EXIT HANDLER FOR 1524
        CREATE USER IF NOT EXISTS 'mdetect_reader'@'%' ACCOUNT LOCK;
    CREATE USER IF NOT EXISTS 'mdetect_reader'@'%' IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS';
    ALTER USER 'mdetect_reader'@'%' REQUIRE SSL;
END;

-- `ON *` is the default database (MariaDB GRANT, "Privilege Levels"): the one being migrated,
-- whatever its name, so the file never names a database. Without a default database MariaDB
-- refuses it (ERROR 1046), and the runner refuses to run without one anyway.
GRANT SELECT ON * TO 'mdetect_reader'@'%';
