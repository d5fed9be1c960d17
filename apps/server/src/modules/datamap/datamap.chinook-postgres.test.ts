import { describeChinook } from '../../../test/fixtures/chinook.suite.ts';

// Access, rectification, erasure and verification on the real postgres server with the Chinook sample database.
describeChinook('postgres');
