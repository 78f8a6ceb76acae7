// Package e2e holds the end-to-end tests: they start the real server
// in-process on a loopback port, with the real services on a fresh
// database, and drive a real headless Chromium (Debian's chromium
// package) through the pages a person uses, keeping a full-page
// screenshot after each significant step.
//
// Without /usr/bin/chromium (or $JARING_CHROMIUM) the tests skip, saying
// how to install it; under CI (CI=true) or with JARING_E2E=1 they fail
// instead. Screenshots go to $JARING_E2E_ARTIFACTS, else to
// e2e-artifacts/ at the repository root.
package e2e
