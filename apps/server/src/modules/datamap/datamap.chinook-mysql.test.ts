import { describeChinook } from '../../../test/fixtures/chinook.suite.ts';

// Access, rectification, erasure and verification on the real mysql server with the Chinook sample database.
describeChinook('mysql');
