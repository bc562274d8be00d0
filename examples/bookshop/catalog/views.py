from django.http import JsonResponse

from .models import Book


def book_list(request):
    books = [{"title": b.title, "author": b.author} for b in Book.objects.order_by("title")]
    return JsonResponse({"books": books})
