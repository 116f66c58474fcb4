from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "majlis.bookings"
    label = "bookings"
