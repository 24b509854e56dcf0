-- WorldServer v11 administration and sign-up tables: login addresses (the user report by IP
-- address), VIP memberships with their expiry, and the codewords the sign-up pages send.
-- Runs unchanged in SQL*Plus (@createAdminTables, with the user database account, after
-- @createUserTables) and in sqlite3 (sqlite3 users.db < createAdminTables.sql); the servers add
-- these tables themselves to an embedded database that has none of them.
-- The rules of createUserTables.sql hold here too: only double-dash comments, and only between
-- statements; no blank line inside a statement; every statement ends with a semicolon; no
-- ampersand anywhere; no COMMIT.
--
-- SerialNumbers.serialStatus 2 (userName signup) marks a serial the sign-up pages reserved for one
-- person: it registers like a free one and returns to 0 if it is never used (see sql/README.md).
--
-- UserLogins: one row per account and address it logged in from, written at every login.
CREATE TABLE UserLogins (
  userNameLower VARCHAR2(50) NOT NULL,
  address VARCHAR2(45) NOT NULL,
  firstLogin DATE NOT NULL,
  lastLogin DATE NOT NULL,
  logins NUMBER(10) NOT NULL,
  CONSTRAINT UserLogins_pk PRIMARY KEY (userNameLower, address)
);
CREATE INDEX UserLogins_address_ix ON UserLogins (address);
--
-- VipMemberships: the guide's Manual VIP Assignment. vipPrivileges is what the membership grants
-- in userPrivileges (8 VIP, 16 full VIP, 24 both); at the first login after expiryDate the
-- UserServer clears those bits and sets vipPrivileges to 0 (the dates stay for the record).
CREATE TABLE VipMemberships (
  userNameLower VARCHAR2(50) NOT NULL,
  vipPrivileges NUMBER(3) NOT NULL,
  startDate DATE NOT NULL,
  expiryDate DATE NOT NULL,
  payment VARCHAR2(20) NOT NULL,
  grantedBy VARCHAR2(50) NOT NULL,
  CONSTRAINT VipMemberships_pk PRIMARY KEY (userNameLower)
);
--
-- SignupCodewords: one row per codeword sent. signupState: 0 sent, 1 answered (the client has the
-- serial), 2 registered (the e-mail address went to UserProperties as property 11), 3 released.
CREATE TABLE SignupCodewords (
  serialNumber VARCHAR2(20) NOT NULL,
  codeword VARCHAR2(6) NOT NULL,
  handshakeId VARCHAR2(32) NOT NULL,
  email VARCHAR2(254) NOT NULL,
  address VARCHAR2(45) NOT NULL,
  signupState NUMBER(1) NOT NULL,
  requestDate DATE NOT NULL,
  expiryDate DATE NOT NULL
);
CREATE INDEX SignupCodewords_serial_ix ON SignupCodewords (serialNumber);
CREATE INDEX SignupCodewords_handshake_ix ON SignupCodewords (handshakeId, codeword);
CREATE INDEX SignupCodewords_email_ix ON SignupCodewords (email, requestDate);
CREATE INDEX SignupCodewords_expiry_ix ON SignupCodewords (signupState, expiryDate);
--
-- E-mail addresses (property 11) looked up case-insensitively: the report by e-mail address and
-- deactivating every account of an address.
CREATE INDEX UserProperties_email_ix ON UserProperties (propertyId, LOWER(propertyStringValue));
