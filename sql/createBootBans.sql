-- WorldServer boot bans (AG-20): after "!boot Name" the user's name and address are refused for
-- 30 minutes. The UserServer keeps them here so that they outlive a restart of the UserServer.
-- Runs unchanged in SQL*Plus (@createBootBans) and in sqlite3 (sqlite3 users.db < createBootBans.sql),
-- under the rules at the top of createUserTables.sql. The UserServer creates this table itself in
-- an embedded (sqlite:) database that lacks it; on Oracle run this script once with the
-- UserDatabase account.
--
-- banKind: name or address. banValue: the user name in lower case, or the IPv4 address.
-- bannedUntil: when the ban ends (UTC text YYYY-MM-DD HH:MM:SS in SQLite, DATE in Oracle).
-- bootedName, bootedBy, bootedAt: which boot made the ban (the user booted, who booted, when).
-- Expired rows are deleted when the UserServer starts. To lift a ban early, delete its row and
-- restart the UserServer (a running one keeps its bans in memory):
--   delete from bootbans where banvalue = '127.2.0.1';
CREATE TABLE BootBans (
  banKind VARCHAR2(10) NOT NULL,
  banValue VARCHAR2(50) NOT NULL,
  bannedUntil DATE NOT NULL,
  bootedName VARCHAR2(50) NOT NULL,
  bootedBy VARCHAR2(50) NOT NULL,
  bootedAt DATE NOT NULL,
  CONSTRAINT BootBans_pk PRIMARY KEY (banKind, banValue)
);
