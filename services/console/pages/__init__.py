"""One router per kind of person: citizen, staff sign-in, hotline, officer, supervisor."""
