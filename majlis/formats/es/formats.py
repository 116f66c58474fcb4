DATE_FORMAT = r"l, j \d\e F \d\e Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = r"l, j \d\e F \d\e Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
