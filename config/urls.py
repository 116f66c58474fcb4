from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path

from majlis.api.apis import api, api_not_found
from majlis.backoffice.login import staff_login_guard
from majlis.site.urls import event_patterns
from majlis.site.views import programme, sign_in

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
    path("i18n/setlang/", sign_in.set_language, name="set_language"),
    # The admin's sign-in under the same limits as the back office's.
    path("admin/login/", staff_login_guard(admin.site.login)),
    path("admin/", admin.site.urls),
]
urlpatterns += i18n_patterns(
    path("", programme.home, name="home"),
    path("e/<slug:event>/", include(event_patterns)),
    path("backoffice/", include("majlis.backoffice.urls")),
)
