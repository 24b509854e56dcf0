-- WorldServer v11 user database: the tables of the administration guide, Appendix III.
-- Runs unchanged in SQL*Plus (@createUserTables) and in sqlite3 (sqlite3 users.db < createUserTables.sql).
-- To stay valid for both: only double-dash comments, and only between statements; no blank line
-- inside a statement (SQL*Plus would end it there); every statement ends with a semicolon; no
-- ampersand anywhere (SQL*Plus substitution); no COMMIT, since Oracle commits DDL by itself.
-- SQLite accepts the Oracle type names: VARCHAR2 gets TEXT affinity, NUMBER, DATE and RAW NUMERIC
-- (a RAW value bound as a blob stays a blob).
--
-- serialStatus: 0 = SERIAL_FREE, 1 = SERIAL_USED, stored as the text 0 or 1 (the column is VARCHAR2).
CREATE TABLE SerialNumbers (
  serialNumber VARCHAR2(20) NOT NULL,
  userName VARCHAR2(50) NOT NULL,
  serialStatus VARCHAR2(50) NOT NULL,
  CONSTRAINT SerialNumbers_uk UNIQUE (serialNumber)
);
-- For the guide procedure: select * from serialnumbers where username = 'fred'
CREATE INDEX SerialNumbers_name_ix ON SerialNumbers (userName);
--
-- accountStatus: 1 = ACCOUNT_ACTIVE, 0 = ACCOUNT_INACTIVE.
-- userPrivileges: bit set, 1 build, 2 broadcast, 4 property, 8 and 16 VIP, 64 special guest.
-- password is widened from the guide VARCHAR2(20) to hold salted scrypt hashes; a plain-text
-- password imported from the original servers is accepted once and replaced by its hash.
-- The servers look accounts up by userNameLower, the key; administrators use userName.
CREATE TABLE UserRegistration (
  userNameLower VARCHAR2(50) NOT NULL,
  userName VARCHAR2(50) NOT NULL,
  serialNumber VARCHAR2(20) NOT NULL,
  password VARCHAR2(255) NOT NULL,
  clientVersion VARCHAR2(20) NOT NULL,
  accountStatus NUMBER(1) NOT NULL,
  registrationDate DATE NOT NULL,
  timesOn NUMBER(10) NOT NULL,
  totalMinutes NUMBER(10) NOT NULL,
  userPrivileges NUMBER(3) NOT NULL,
  CONSTRAINT UserRegistration_pk PRIMARY KEY (userNameLower)
);
CREATE INDEX UserRegistration_name_ix ON UserRegistration (userName);
CREATE INDEX UserRegistration_serial_ix ON UserRegistration (serialNumber);
--
-- The guide lists propertyStringValue as NOT NULL yet says it is NULL for a binary property
-- (propertyFlags with 16 set, value in propertyBinaryValue). The second rule is the one the data
-- needs, and Oracle stores an empty string as NULL anyway, so both value columns are nullable.
-- userName keeps its case; the servers match it case-insensitively through the LOWER index.
CREATE TABLE UserProperties (
  userName VARCHAR2(50) NOT NULL,
  propertyId NUMBER(3) NOT NULL,
  propertyFlags NUMBER(3) NOT NULL,
  propertyAccess NUMBER(3) NOT NULL,
  propertyStringValue VARCHAR2(255),
  propertyBinaryValue RAW(255)
);
CREATE INDEX UserProperties_name_ix ON UserProperties (userName);
CREATE INDEX UserProperties_lower_ix ON UserProperties (LOWER(userName));
