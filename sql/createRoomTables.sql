-- WorldServer v11 room database (RoomDatabase keyword): room registrations and stored room state.
-- Runs unchanged in SQL*Plus (@createRoomTables) and in sqlite3 (sqlite3 rooms.db < createRoomTables.sql);
-- the rules that make that possible are listed at the top of createUserTables.sql.
--
-- One row per dynamically allocated room (RoomDatabase ... Dynamic), written once.
CREATE TABLE RoomRegistration (
  roomName VARCHAR2(255) NOT NULL,
  serverName VARCHAR2(64) NOT NULL,
  registrationDate DATE NOT NULL,
  CONSTRAINT RoomRegistration_uk UNIQUE (roomName)
);
--
-- Stored properties and shared-object state of a room, with the columns and flags of
-- UserProperties: the value is in propertyStringValue, or in propertyBinaryValue when
-- propertyFlags has 16 set; the other column is NULL, so both are nullable.
CREATE TABLE RoomProperties (
  roomName VARCHAR2(255) NOT NULL,
  propertyId NUMBER(3) NOT NULL,
  propertyFlags NUMBER(3) NOT NULL,
  propertyAccess NUMBER(3) NOT NULL,
  propertyStringValue VARCHAR2(255),
  propertyBinaryValue RAW(255)
);
CREATE INDEX RoomProperties_room_ix ON RoomProperties (roomName);
