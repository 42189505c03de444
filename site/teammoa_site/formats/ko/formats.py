"""Korean date and time formats (Django's date-filter syntax) where Django's own differ from
how Koreans write them: the half of the day before the hour ("오후 3:05"), 12-hour
clocks in datetimes, and no dashed dates in running text."""

DATETIME_FORMAT = "Y년 n월 j일 A g:i"
SHORT_DATETIME_FORMAT = "Y. n. j. A g:i"
TIME_FORMAT = "A g:i"
SHORT_DATE_FORMAT = "Y. n. j."
